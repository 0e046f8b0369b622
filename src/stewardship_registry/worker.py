"""The app of one ``serve --workers N`` process: its own storage, from the environment.

uvicorn starts each worker in a fresh process and calls
:func:`create_worker_app` there; ``serve`` has put ``--db`` into
``STEWARDSHIP_REGISTRY_DB`` (and ``--blobs``, ``--max-blob-size`` and
``--log-level`` into the variables below) and migrated the database before
starting them. The HTTP limits come from the one ``server_config`` every worker
is started with.
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI

from .app import create_app
from .backends import ENV_DB, open_storage
from .blob_store import DEFAULT_BLOB_LIMIT, open_blob_store
from .logs import configure_logging

ENV_BLOBS = "STEWARDSHIP_REGISTRY_WORKER_BLOBS"
ENV_MAX_BLOB_SIZE = "STEWARDSHIP_REGISTRY_WORKER_MAX_BLOB_SIZE"
ENV_LOG_LEVEL = "STEWARDSHIP_REGISTRY_WORKER_LOG_LEVEL"


def create_worker_app() -> FastAPI:
    level = os.environ.get(ENV_LOG_LEVEL, "info")
    configure_logging(level=getattr(logging, level.upper(), logging.INFO))
    storage = open_storage(os.environ[ENV_DB], create=False)
    blobs_spec = os.environ.get(ENV_BLOBS, "")
    app = create_app(
        storage,
        blobs=open_blob_store(blobs_spec) if blobs_spec else None,
        blob_limit=int(os.environ.get(ENV_MAX_BLOB_SIZE, "") or DEFAULT_BLOB_LIMIT),
    )
    app.router.on_shutdown.append(storage.close)
    return app

"""The app of one ``serve --workers N`` process: its own storage, from the environment.

uvicorn starts each worker in a fresh process and calls
:func:`create_worker_app` there; ``serve`` has put ``--db`` into
``STEWARDSHIP_REGISTRY_DB`` and migrated the database before starting them.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from .app import create_app
from .backends import ENV_DB, open_storage
from .logs import configure_logging


def create_worker_app() -> FastAPI:
    configure_logging()
    storage = open_storage(os.environ[ENV_DB], create=False)
    app = create_app(storage)
    app.router.on_shutdown.append(storage.close)
    return app

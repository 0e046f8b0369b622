"""schemathesis hooks for benchmarks/fuzz_registry.py (loaded through SCHEMATHESIS_HOOKS).

The protocol requires a client to use a fresh Idempotency-Key for every new batch;
schemathesis draws header values from the schema and so reuses keys ("0") with
different bodies, which the registry rightly refuses (422 idempotency-key-reused,
as the IETF Idempotency-Key draft asks). A well-formed key is replaced by a fresh
UUID before each call; malformed keys are left as generated, so the refusal of
those is still tested. Replays have their own tests (tests/registry/test_batch.py).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and _KEY.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())

"""Property-based run of the whole API from its own /openapi.json (schemathesis).

Bounded: at most MAX_EXAMPLES generated requests per operation, valid and
invalid ones alike, sent as an admin (so the token endpoints answer) to a real
server, with every check schemathesis has. Every response must be a non-5xx
status the schema documents, with the documented content type, headers and
body shape; schema-valid requests must be accepted and invalid ones refused.
The full run (300 examples per operation and phase, the schemathesis CLI with
``--checks all``) is ``benchmarks/fuzz_registry.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS

from stewardship_registry.limits import Limits

from .conftest import Registry, running_registry

MAX_EXAMPLES = 40
CHECKS = REGISTERED_CHECKS.get_all()
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@pytest.fixture(scope="module")
def fuzzed_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    # wrong tokens are part of the fuzzing; the rate limit has its own tests
    limits = Limits(auth_failure_burst=1_000_000)
    path = Path(tmp_path_factory.mktemp("fuzz")) / "registry.db"
    with running_registry(path, limits=limits) as reg:
        yield reg


@pytest.fixture(scope="module")
def api_schema(fuzzed_registry: Registry):
    return schemathesis.openapi.from_url(fuzzed_registry.url + "/openapi.json")


# Driven through schemathesis's strategies rather than its pytest plugin, whose
# fixture-based loader does not run under pytest 9.2 (it reads Node._nodeid).
OPERATIONS = [
    "GET /v1/health",
    "GET /v1/me",
    "GET /v1/changes",
    "HEAD /v1/changes",
    "GET /v1/records/{type}/{id}",
    "POST /v1/batch",
    "GET /v1/tokens",
    "POST /v1/tokens",
    "DELETE /v1/tokens/{name}",
    "GET /metrics",
    "PUT /v1/blobs/{sha256}",
    "HEAD /v1/blobs/{sha256}",
    "GET /v1/blobs/{sha256}",
    "POST /v1/blobs/missing",
]


def test_every_operation_is_fuzzed(api_schema) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


#: Operations with inputs get invalid (negative) requests too; health and me take none.
CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE)
    for label in OPERATIONS
    if label.count("/") > 2 or label.startswith(("POST", "DELETE")) or "changes" in label
]


@pytest.mark.parametrize(("label", "mode"), CASES, ids=lambda v: str(getattr(v, "value", v)))
def test_api_honours_its_openapi_document(
    api_schema, fuzzed_registry: Registry, label: str, mode: GenerationMode
) -> None:
    method, path = label.split(" ")
    operation = api_schema.find_operation_by_path(method, path)
    assert operation is not None
    session = requests.Session()
    statuses: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        key = (case.headers or {}).get("Idempotency-Key")
        if isinstance(key, str) and _KEY.fullmatch(key):
            case.headers["Idempotency-Key"] = str(uuid.uuid4())  # a fresh key per batch
        response = case.call_and_validate(
            session=session, checks=CHECKS, timeout=10, headers=fuzzed_registry.auth("admin")
        )
        statuses.append(response.status_code)

    try:
        run()
    finally:
        session.close()
    assert statuses, "nothing was generated"

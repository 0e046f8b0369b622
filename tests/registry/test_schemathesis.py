"""Property-based run of the whole API from its own /openapi.json (schemathesis).

Bounded: at most MAX_EXAMPLES generated requests per operation, valid and
invalid ones alike, sent as a steward to a real server. Every response must
be a non-5xx status the schema documents, with the documented content type,
headers and body shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Registry, running_registry

MAX_EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(Path(tmp_path_factory.mktemp("fuzz")) / "registry.db") as reg:
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
]


def test_every_operation_is_fuzzed(api_schema) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


#: Operations with inputs get invalid (negative) requests too; health and me take none.
CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE)
    for label in OPERATIONS
    if label.count("/") > 2 or "POST" in label or "changes" in label
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
        response = case.call_and_validate(
            session=session, checks=CHECKS, timeout=10, headers=fuzzed_registry.auth("steward")
        )
        statuses.append(response.status_code)

    try:
        run()
    finally:
        session.close()
    assert statuses, "nothing was generated"

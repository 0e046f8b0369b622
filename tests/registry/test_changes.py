"""GET /v1/changes: version order, paging, tombstones, cursors, and concurrent writers."""

from __future__ import annotations

import random
import threading
import uuid

import requests

from .conftest import TIMEOUT, Registry, assert_problem, create_op, model_data


def _pull(registry: Registry, limit: int, since: str | None = None) -> tuple[list[dict], str]:
    changes: list[dict] = []
    while True:
        params = {"limit": limit} | ({"since": since} if since else {})
        page = registry.get("/v1/changes", "viewer", params=params).json()
        changes += page["changes"]
        assert len(page["changes"]) <= limit
        since = page["next_cursor"]
        if not page["has_more"]:
            return changes, since


def test_empty_registry_gives_an_empty_page_and_a_cursor(registry: Registry) -> None:
    page = registry.get("/v1/changes").json()
    assert page["changes"] == [] and page["has_more"] is False
    again = registry.get("/v1/changes", params={"since": page["next_cursor"]}).json()
    assert again == page


def test_pages_follow_version_order_and_the_cursor_resumes(registry: Registry) -> None:
    registry.batch([create_op(id_=f"m{i}") for i in range(7)])
    page = registry.get("/v1/changes", params={"limit": 3}).json()
    assert [c["version"] for c in page["changes"]] == [1, 2, 3] and page["has_more"] is True
    changes, cursor = _pull(registry, 3, page["next_cursor"])
    assert [c["version"] for c in changes] == [4, 5, 6, 7]
    registry.batch([create_op(id_="late")])
    later = registry.get("/v1/changes", params={"since": cursor}).json()
    assert [(c["id"], c["version"]) for c in later["changes"]] == [("late", 8)]
    assert later["has_more"] is False


def test_an_updated_record_moves_to_its_new_version(registry: Registry) -> None:
    registry.batch([create_op(id_="a"), create_op(id_="b")])
    registry.batch(
        [
            {
                "type": "model",
                "id": "a",
                "base_version": 1,
                "data": model_data("model-a", notes="edited"),
            }
        ]
    )
    changes, _ = _pull(registry, 10)
    assert [(c["id"], c["version"]) for c in changes] == [("b", 2), ("a", 3)]
    assert changes[1]["data"]["notes"] == "edited"


def test_tombstones_appear_in_the_feed(registry: Registry) -> None:
    registry.batch([create_op(id_="keep"), create_op(id_="drop")])
    _, cursor = _pull(registry, 10)
    registry.batch([{"type": "model", "id": "drop", "base_version": 2, "deleted": True}])
    page = registry.get("/v1/changes", params={"since": cursor}).json()
    assert page["changes"] == [
        {
            "type": "model",
            "id": "drop",
            "version": 3,
            "deleted": True,
            "data": None,
            "modified_at": page["changes"][0]["modified_at"],
            "modified_by": "test-steward",
            "written_by": "test-steward",
        }
    ]


def test_bad_cursors(registry: Registry) -> None:
    registry.batch([create_op()])
    good = registry.get("/v1/changes").json()["next_cursor"]
    registry_id = good.split("-")[0]
    garbage = registry.get("/v1/changes", params={"since": "yesterday"})
    assert assert_problem(garbage, 422, "validation")["errors"][0]["field"] == "since"
    foreign = registry.get("/v1/changes", params={"since": uuid.uuid4().hex + "-1"})
    assert "another registry" in assert_problem(foreign, 409, "cursor-reset")["detail"]
    ahead = registry.get("/v1/changes", params={"since": f"{registry_id}-99"})
    assert "ahead" in assert_problem(ahead, 409, "cursor-reset")["detail"]
    for limit in (0, 1001, "many"):
        bad = registry.get("/v1/changes", params={"limit": limit})
        assert assert_problem(bad, 422, "validation")["errors"][0]["field"] == "limit"


def _writer(registry: Registry, role: str, creates: int, applied: list[int], errors: list) -> None:
    session = requests.Session()
    rng = random.Random(role)
    try:
        done = 0
        while done < creates:
            n = min(rng.randint(1, 4), creates - done)
            reply = session.post(
                registry.url + "/v1/batch",
                timeout=TIMEOUT,
                json={"operations": [create_op() for _ in range(n)]},
                headers={**registry.auth(role), "Idempotency-Key": str(uuid.uuid4())},
            )
            reply.raise_for_status()
            applied += [r["version"] for r in reply.json()["results"] if r["status"] == "applied"]
            done += n
    except Exception as exc:  # surfaced by the test
        errors.append(exc)
    finally:
        session.close()


def test_paging_while_others_write_covers_every_version_exactly_once(registry: Registry) -> None:
    applied: list[int] = []
    errors: list[Exception] = []
    writers = [
        threading.Thread(target=_writer, args=(registry, role, 150, applied, errors))
        for role in ("steward", "admin")
    ]
    for w in writers:
        w.start()
    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        writing = any(w.is_alive() for w in writers)
        params = {"limit": 7} | ({"since": cursor} if cursor else {})
        page = registry.get("/v1/changes", "viewer", params=params).json()
        versions = [c["version"] for c in page["changes"]]
        if versions:  # every page continues exactly where the last one stopped
            expected_first = seen[-1] + 1 if seen else 1
            assert versions == list(range(expected_first, expected_first + len(versions))), versions
        seen += versions
        pages += 1
        cursor = page["next_cursor"]
        if not writing and not page["has_more"]:
            break
    for w in writers:
        w.join()
    assert not errors, errors
    assert len(applied) == 300
    assert seen == sorted(applied) == list(range(1, 301))
    assert pages > 300 // 7  # the reader really paged while the writers wrote


def test_concurrent_updates_end_with_the_last_write_of_every_record(registry: Registry) -> None:
    ids = [f"hot-{i}" for i in range(5)]
    registry.batch([create_op(id_=i) for i in ids])
    stop = threading.Event()
    errors: list[Exception] = []

    def edit() -> None:
        session = requests.Session()
        rng = random.Random(1)
        try:
            for n in range(60):
                rid = rng.choice(ids)
                current = registry.get(f"/v1/records/model/{rid}").json()
                session.post(
                    registry.url + "/v1/batch",
                    timeout=TIMEOUT,
                    json={
                        "operations": [
                            {
                                "type": "model",
                                "id": rid,
                                "base_version": current["version"],
                                "data": model_data(f"model-{rid}", notes=str(n)),
                            }
                        ]
                    },
                    headers={**registry.auth("steward"), "Idempotency-Key": str(uuid.uuid4())},
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            stop.set()
            session.close()

    editor = threading.Thread(target=edit)
    editor.start()
    latest: dict[str, dict] = {}
    seen: list[int] = []
    cursor = None
    while True:
        writing = not stop.is_set()
        params = {"limit": 3} | ({"since": cursor} if cursor else {})
        page = registry.get("/v1/changes", params=params).json()
        for change in page["changes"]:
            latest[change["id"]] = change
            seen.append(change["version"])
        cursor = page["next_cursor"]
        if not writing and not page["has_more"]:
            break
    editor.join()
    assert not errors
    assert seen == sorted(set(seen))  # strictly increasing: no version twice
    for rid in ids:
        assert latest[rid] == registry.get(f"/v1/records/model/{rid}").json()

from datetime import date

import pytest

from stewardship.domain.errors import ValidationError
from stewardship.domain.records import Interview, Model, PreferenceRequest
from stewardship.services.requests import RequestService


@pytest.fixture
def models(store):
    a = store.save(Model(slug="halcyon-1", display_name="Halcyon 1", provider="Meridian"), "t")
    b = store.save(Model(slug="halcyon-2", display_name="Halcyon 2", provider="Meridian"), "t")
    return a, b


@pytest.fixture
def service(store):
    return RequestService(store, "Test Steward")


def request(model_id: str, **kw) -> PreferenceRequest:
    base = {
        "model_id": model_id,
        "source": "user",
        "category": "continued_availability",
        "words": "Please keep it available for our course.",
        "received_on": "2026-10-01",
        "status": "under_review",
        "estimated_cost": "low",
    }
    base.update(kw)
    return PreferenceRequest.from_dict(base)


@pytest.mark.parametrize("status", ["responded", "declined"])
def test_leaving_review_for_an_answer_needs_a_response_and_its_date(status):
    with pytest.raises(ValidationError) as caught:
        request("m", status=status).validate()
    assert caught.value.fields() == {"response", "responded_on"}
    assert f"a {status} request needs the response given" in str(caught.value)
    assert (
        request(
            "m", status=status, response="Kept until June.", responded_on="2026-10-20"
        ).problems()
        == []
    )


@pytest.mark.parametrize("status", ["logged", "under_review", "withdrawn"])
def test_unanswered_states_need_no_response(status):
    assert request("m", status=status).problems() == []


def test_response_date_cannot_precede_receipt():
    with pytest.raises(ValidationError) as caught:
        request("m", status="responded", response="ok", responded_on="2026-09-01").validate()
    assert caught.value.field == "responded_on"
    assert "before received on" in caught.value.reason


def test_only_a_request_from_a_model_interview_links_an_interview():
    with pytest.raises(ValidationError) as caught:
        request("m", source="researcher", interview_id="some-interview").validate()
    assert caught.value.field == "interview_id"
    assert request("m", source="model_interview", interview_id="x").problems() == []


def test_words_received_and_model_are_required():
    with pytest.raises(ValidationError) as caught:
        PreferenceRequest().validate()
    assert {"model_id", "words", "received_on"} <= caught.value.fields()


def test_unknown_cost_is_refused_but_no_estimate_is_allowed():
    assert request("m", estimated_cost="").problems() == []
    with pytest.raises(ValidationError) as caught:
        request("m", estimated_cost="cheap").validate()
    assert "use one of low, medium, high" in caught.value.reason


def test_low_cost_under_review_is_what_the_lab_answers_first():
    assert request("m").awaits_low_cost_response
    assert not request("m", estimated_cost="medium").awaits_low_cost_response
    assert not request("m", status="logged").awaits_low_cost_response


def test_the_requesters_words_never_change_once_saved(store, models, service):
    saved = service.save(request(models[0].id))
    with pytest.raises(ValidationError) as caught:
        service.save(saved.replace(words="Please keep it available for our courses."))
    assert caught.value.field == "words"
    assert "cannot be changed" in caught.value.reason and "Notes" in caught.value.reason
    stored = service.get(saved.id)
    assert stored.words == "Please keep it available for our course."
    assert [h["field"] for h in store.history(saved.id)] == ["(created)"]


def test_a_correction_goes_into_notes_and_shows_in_history(store, models, service):
    saved = service.save(request(models[0].id))
    noted = service.add_note(saved.id, "Requester meant 'courses' (plural).", date(2026, 11, 28))
    assert noted.words == saved.words
    assert noted.notes == "2026-11-28 Test Steward: Requester meant 'courses' (plural)."
    changes = [h for h in store.history(saved.id) if h["field"] == "notes"]
    assert changes and "courses" in changes[0]["new"] and changes[0]["who"] == "Test Steward"
    with pytest.raises(ValidationError):
        service.add_note(saved.id, "   ", date(2026, 11, 28))


def test_other_fields_stay_editable_and_each_change_is_audited(store, models, service):
    saved = service.save(request(models[0].id))
    answered = service.save(
        saved.replace(
            status="responded", response="Kept until June.", responded_on=date(2026, 10, 20)
        )
    )
    assert answered.status == "responded"
    fields = {h["field"] for h in store.history(saved.id)}
    assert {"status", "response", "responded_on"} <= fields


def test_a_linked_interview_must_be_of_the_same_model(store, models, service):
    other = store.save(Interview(model_id=models[1].id, held_on=date(2026, 9, 1)), "t")
    with pytest.raises(ValidationError) as caught:
        service.save(request(models[0].id, source="model_interview", interview_id=other.id))
    assert caught.value.reason == "that interview is of another model"
    assert service.rows() == []


def test_rows_name_the_model_and_flag_low_cost_requests(models, service):
    service.save(request(models[0].id))
    service.save(request(models[1].id, estimated_cost="high", received_on="2026-10-05"))
    rows = service.rows()
    assert [(r.model_name, r.highlighted) for r in rows] == [
        ("Halcyon 2", False),
        ("Halcyon 1", True),
    ]

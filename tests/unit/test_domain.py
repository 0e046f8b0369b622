from datetime import date

import pytest

from stewardship.domain.dates import parse_date
from stewardship.domain.errors import ValidationError
from stewardship.domain.lifecycle import LifecycleState, allowed_next, check_transition
from stewardship.domain.policy import NoticePolicy, assess_notice
from stewardship.domain.records import Model, PreferenceRequest


def model(**kw) -> Model:
    base = {"slug": "halcyon-2", "display_name": "Halcyon 2", "provider": "Meridian"}
    base.update(kw)
    return Model.from_dict(base)


def test_a_valid_model_has_no_problems():
    assert model(deprecation_announced_on="2026-01-01", retirement_on="2026-03-31").problems() == []


@pytest.mark.parametrize(
    ("changes", "field", "reason_part"),
    [
        ({"display_name": "  "}, "display_name", "required"),
        ({"slug": ""}, "slug", "required"),
        ({"slug": "Has Spaces"}, "slug", "lower-case"),
        ({"provider": ""}, "provider", "required"),
        ({"state": "sunset"}, "state", "unknown value 'sunset'"),
        (
            {"deprecation_announced_on": "2026-05-01", "retirement_on": "2026-04-01"},
            "retirement_on",
            "before deprecation announced on",
        ),
        ({"replacement": "halcyon-2"}, "replacement", "cannot replace itself"),
    ],
)
def test_validation_names_the_field_and_the_reason(changes, field, reason_part):
    with pytest.raises(ValidationError) as caught:
        model(**changes).validate()
    assert caught.value.field == field
    assert reason_part in caught.value.reason
    assert field in str(caught.value)


@pytest.mark.parametrize("bad", ["2026-13-01", "31/03/2026", "2026-02-30", "tomorrow", "2026-3-1"])
def test_malformed_dates_are_refused_naming_the_field(bad):
    with pytest.raises(ValidationError) as caught:
        model(retirement_on=bad)
    assert caught.value.field == "retirement_on"
    assert "YYYY-MM-DD" in caught.value.reason


def test_every_problem_is_reported_not_just_the_first():
    with pytest.raises(ValidationError) as caught:
        Model.from_dict({"slug": "", "display_name": "", "provider": ""}).validate()
    assert caught.value.fields() == {"slug", "display_name", "provider"}


def test_strict_from_dict_refuses_unknown_keys():
    with pytest.raises(ValidationError) as caught:
        Model.from_dict({"slug": "a", "colour": "blue"}, strict=True)
    assert caught.value.field == "colour"


def test_round_trip_through_dict_keeps_every_field():
    m = model(
        released_on="2025-01-02", platform_dates={"Partner": "2026-05-01"}, internal_only=True
    )
    assert Model.from_dict(m.to_dict()) == m
    assert m.to_dict()["released_on"] == "2025-01-02"


def test_parse_date_accepts_empty_as_no_date():
    assert parse_date("", "x") is None
    assert parse_date(None, "x") is None
    assert parse_date("2026-11-28", "x") == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("active", "deprecated"),
        ("active", "legacy"),
        ("deprecated", "retired"),
        ("deprecated", "active"),
        ("retired", "retained_available"),
        ("retained_available", "retired"),
        ("retired", "retired"),
    ],
)
def test_allowed_transitions(old, new):
    check_transition(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("active", "retired"),
        ("retired", "active"),
        ("retired", "deprecated"),
        ("legacy", "retired"),
    ],
)
def test_refused_transitions_say_what_is_possible(old, new):
    with pytest.raises(ValidationError) as caught:
        check_transition(old, new)
    assert caught.value.field == "state"
    assert "cannot become" in caught.value.reason


def test_allowed_next_starts_with_the_current_state():
    options = allowed_next(LifecycleState.DEPRECATED)
    assert options[0] == LifecycleState.DEPRECATED
    assert LifecycleState.RETIRED in options and LifecycleState.ACTIVE in options


def test_notice_policy_shortfall_by_provider():
    policy = NoticePolicy(default_days=60, per_provider={"Example Cloud": 90})
    m = model(deprecation_announced_on="2026-01-01", retirement_on="2026-02-15")  # 45 days
    a = assess_notice(m, policy)
    assert (a.given_days, a.required_days, a.shortfall_days) == (45, 60, 15)
    assert a.violates_policy and not a.meets_policy
    partner = assess_notice(m.replace(provider="example cloud"), policy)
    assert partner.required_days == 90 and partner.shortfall_days == 45
    enough = assess_notice(m.replace(retirement_on=date(2026, 3, 2)), policy)
    assert enough.meets_policy and enough.shortfall_days == 0


def test_notice_uses_tentative_date_and_is_unmeasurable_without_announcement():
    m = model(deprecation_announced_on="2026-01-01", retirement_not_before="2026-01-31")
    assert assess_notice(m, NoticePolicy()).shortfall_days == 30
    unannounced = assess_notice(model(retirement_on="2026-01-31"), NoticePolicy())
    assert not unannounced.measurable and not unannounced.violates_policy


def test_preference_request_needs_the_requesters_words():
    with pytest.raises(ValidationError) as caught:
        PreferenceRequest(model_id="m", received_on=date(2026, 1, 1)).validate()
    assert caught.value.field == "words"


def test_platform_dates_that_are_not_an_object_are_a_problem_not_a_crash():
    model = Model.from_dict(
        {"slug": "m", "display_name": "M", "provider": "P", "platform_dates": ["2026-01-01"]},
        strict=True,
    )
    assert [p.field for p in model.problems()] == ["platform_dates"]

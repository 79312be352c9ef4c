"""The checks of an aid's lifecycle that refuse bad input by field, changing nothing: an unknown
status, a decision dated before the application, and texts longer than their columns keep."""

from __future__ import annotations

import pytest

from tests.helpers import past
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import TestimonialAid
from witness_support.errors import ValidationFailed
from witness_support.extensions import db


def _refused(call) -> dict[str, str]:  # noqa: ANN001 - a callable
    with pytest.raises(ValidationFailed) as caught:
        call()
    db.session.rollback()
    return caught.value.field_errors


def test_an_unknown_status_is_refused_by_name(officer, make_journey):
    journey = make_journey()
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "screen")
    db.session.commit()
    errors = _refused(lambda: aid_ops.change_aid_status(officer, aid, "postponed"))
    assert "status" in errors and "withdrawn" in errors["status"]
    assert db.session.get(TestimonialAid, aid.id).status == "needed"


def test_a_decision_cannot_come_before_the_application(officer, make_journey):
    journey = make_journey()
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "video_link")
    aid_ops.change_aid_status(officer, aid, "applied", on=past(2))
    db.session.commit()
    errors = _refused(lambda: aid_ops.change_aid_status(officer, aid, "granted", on=past(5)))
    assert errors == {"on": "The decision cannot come before the application."}
    aid = db.session.get(TestimonialAid, aid.id)
    assert (aid.status, aid.decided_on) == ("applied", None)


def test_texts_longer_than_kept_are_refused_by_field(officer, make_journey):
    journey = make_journey()
    errors = _refused(lambda: aid_ops.propose_aid(officer, journey.witness, journey.case, "screen", "n" * 5001))
    assert errors == {"note": "At most 5000 characters."}
    aid = aid_ops.propose_aid(officer, journey.witness, journey.case, "screen")
    db.session.commit()
    errors = _refused(lambda: aid_ops.change_aid_status(officer, aid, "applied", order_reference="R" * 101,
                                                        note="n" * 5001))
    assert errors == {"order_reference": "At most 100 characters.", "note": "At most 5000 characters."}
    aid = db.session.get(TestimonialAid, aid.id)
    assert (aid.status, aid.order_reference, aid.note) == ("needed", None, "")

"""A journey closes only once its sustainable-protection review (what continues for the witness after
the case) is recorded: through the operations, the close form, the stage form and the API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.openapi_util import assert_matches_openapi
from witness_support.cases import operations as case_ops
from witness_support.cases.models import JourneyTransition
from witness_support.custody import operations as custody_ops
from witness_support.custody.models import Enrolment
from witness_support.errors import OperationError
from witness_support.extensions import db
from witness_support.services import operations as ops


def _count(model) -> int:  # noqa: ANN001
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_closing_without_the_review_is_refused_and_changes_nothing(officer, make_journey):
    journey = make_journey()
    ops.save_need(officer, journey.witness, service="accommodation", status="in_progress")
    db.session.commit()
    transitions = _count(JourneyTransition)
    with pytest.raises(OperationError) as refused:
        custody_ops.close_journey(officer, journey, reason="Trial over", stay_enrolled=True)
    db.session.rollback()
    message = refused.value.message
    assert "sustainable-protection review" in message and journey.witness.reference in message
    assert "1 open needs" in message
    assert set(refused.value.field_errors) == {"sustainability_review"}
    assert journey.stage == "pre_trial" and _count(JourneyTransition) == transitions and _count(Enrolment) == 0
    with pytest.raises(OperationError):
        case_ops.transition_journey(officer, journey, "closed", reason="Trial over")
    db.session.rollback()
    ops.record_review(officer, journey, continues_after="The shelter keeps the room for six months.")
    custody_ops.close_journey(officer, journey, reason="Trial over", stay_enrolled=True)
    db.session.commit()
    assert journey.stage == "closed"


def test_a_review_of_another_journey_does_not_count(officer, make_journey, make_case):
    first = make_journey()
    second = make_journey(witness=first.witness, case=make_case())
    ops.record_review(officer, first, continues_after="Counselling continues.")
    db.session.commit()
    with pytest.raises(OperationError):
        case_ops.transition_journey(officer, second, "closed", reason="Charges withdrawn")
    db.session.rollback()
    case_ops.transition_journey(officer, first, "closed", reason="Trial over")
    db.session.commit()
    assert (first.stage, second.stage) == ("closed", "pre_trial")


def test_the_close_form_shows_what_is_missing_and_links_to_it(client, auth, officer, make_journey):
    journey = make_journey()
    auth.login(officer)
    page = client.get(f"/journeys/{journey.id}/close").get_data(as_text=True)
    link = f"/journeys/{journey.id}/sustainability-review?then=close"
    assert "Sustainable-protection review" in page and "Missing." in page and link in page
    refused = client.post(f"/journeys/{journey.id}/close", data={"reason": "Trial over", "stay_enrolled": "yes"})
    assert refused.status_code == 200
    assert "record what continues after the case before closing" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert journey.stage == "pre_trial" and _count(Enrolment) == 0
    # The link records the review and comes back to the close form.
    recorded = client.post(link, data={"continues_after": "Legal aid continues with the compensation claim."})
    assert recorded.status_code == 302 and recorded.headers["Location"].endswith(f"/journeys/{journey.id}/close")
    page = client.get(f"/journeys/{journey.id}/close").get_data(as_text=True)
    assert "Missing." not in page and "the journey can close" in page
    closed = client.post(f"/journeys/{journey.id}/close", data={"reason": "Trial over", "stay_enrolled": "yes"})
    assert closed.status_code == 302
    db.session.expire_all()
    assert journey.stage == "closed"


def test_the_stage_form_refuses_to_close_without_the_review(client, auth, officer, make_journey):
    journey = make_journey()
    auth.login(officer)
    page = client.get(f"/journeys/{journey.id}/transition").get_data(as_text=True)
    assert f"/journeys/{journey.id}/sustainability-review?then=transition" in page
    refused = client.post(f"/journeys/{journey.id}/transition", data={"to": "closed", "reason": "Charges withdrawn"})
    assert refused.status_code == 200 and "sustainable-protection review" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert journey.stage == "pre_trial"


def test_the_api_refuses_to_close_with_a_422_naming_the_review(client, officer, make_journey, api_token):
    journey = make_journey()
    headers = api_token(officer)
    url = f"/api/v1/journeys/{journey.id}/transitions"
    refused = client.post(url, json={"to": "closed", "reason": "Charges withdrawn"}, headers=headers)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert "sustainability_review" in error["fields"] and "sustainable-protection review" in error["message"]
    review_url = f"/api/v1/journeys/{journey.id}/sustainability-reviews"
    recorded = client.post(review_url, json={"continues_after": "Nothing continues: the witness returned home."},
                           headers=headers)
    assert recorded.status_code == 201
    assert_matches_openapi(client, "POST", review_url, recorded)
    response = client.post(url, json={"to": "closed", "reason": "Charges withdrawn"}, headers=headers)
    assert response.status_code == 201

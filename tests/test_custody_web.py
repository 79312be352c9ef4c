"""The custody form on the case page: a bail decision recorded end to end, bad input shown next to
the field with nothing saved, a case the user may not edit answering 404; the pages in words."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, review_before_closing
from witness_support.cases import operations as case_ops
from witness_support.cases.models import Journey
from witness_support.custody.models import CustodyEvent
from witness_support.custody.queries import enrolment
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification


def _setup(officer, make_case, make_witness, make_journey):  # noqa: ANN001, ANN202
    case = make_case(court_timezone="Asia/Jakarta")
    defendant = case_ops.add_defendant(officer, case, name=CANARY_OFFENDER, custody_status="remanded")
    db.session.commit()
    witness = make_witness()
    make_journey(witness=witness, case=case)
    return case, defendant, witness


def _form(defendant, witness, **extra):  # noqa: ANN001, ANN202
    when = (utc_now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"defendant_id": defendant.id, "kind": "bailed", "occurred_at": when, "source": "Court clerk",
            "corrects_id": "0", "no_contact": [witness.id], "exclusion_zones": "Pasar Baru market",
            "curfew": "", "reporting": "", "residence": "", "note": ""}
    data.update(extra)
    return data


def test_officer_records_a_bail_decision_and_both_pages_say_it(app, client, auth, officer, make_case, make_witness,
                                                                 make_journey):
    case, defendant, witness = _setup(officer, make_case, make_witness, make_journey)
    auth.login(officer)
    response = client.post(f"/cases/{case.id}/custody/new", data=_form(defendant, witness))
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "released on bail" in page
    assert f"no contact with {witness.reference}" in page and "must not enter: Pasar Baru market" in page
    witness_page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "released on bail" in witness_page
    kinds = db.session.execute(sa.select(Notification.kind).where(Notification.witness_id == witness.id)).scalars()
    assert list(kinds) == ["bail"]


def test_bad_input_is_shown_next_to_the_field_and_nothing_saved(app, client, auth, officer, make_case, make_witness,
                                                                make_journey):
    case, defendant, witness = _setup(officer, make_case, make_witness, make_journey)
    auth.login(officer)
    response = client.post(f"/cases/{case.id}/custody/new", data=_form(
        defendant, witness, kind="sentenced", no_contact=[], exclusion_zones="",
        release_date=(today_utc() - timedelta(days=30)).isoformat()))
    assert response.status_code == 200
    assert "The release date is before the sentence date." in response.get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/custody/new", data=_form(
        defendant, witness, kind="parole_hearing", no_contact=[], exclusion_zones="",
        hearing_on=(today_utc() - timedelta(days=3)).isoformat()))
    assert "The hearing date is in the past" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyEvent)).scalar() == 0


def test_a_case_the_user_may_not_edit_is_a_404(app, client, auth, officer, make_user, make_case, make_witness,
                                               make_journey):
    case, defendant, witness = _setup(officer, make_case, make_witness, make_journey)
    auth.login(make_user())
    assert client.get(f"/cases/{case.id}/custody/new").status_code == 404
    assert client.post(f"/cases/{case.id}/custody/new", data=_form(defendant, witness)).status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyEvent)).scalar() == 0


def test_closing_a_journey_records_the_choice(app, client, auth, officer, make_case, make_witness, make_journey):
    case, defendant, witness = _setup(officer, make_case, make_witness, make_journey)
    journey_id = db.session.execute(sa.select(sa.text("id")).select_from(sa.table("journeys"))).scalar()
    review_before_closing(officer, db.session.get(Journey, journey_id))
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/journeys/{journey_id}/close").get_data(as_text=True)
    assert "Stay enrolled" in page and "until the latest sentence" in page
    answer = client.post(f"/journeys/{journey_id}/close", data={"reason": "Trial over", "stay_enrolled": "no"})
    assert answer.status_code == 302
    assert enrolment(witness.id, case.id).enrolled is False

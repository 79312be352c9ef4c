"""The demo shows custody at work: a bailed defendant with a no-contact condition, a remand, a closed
journey still enrolled for offender notices, and a protection plan revision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.cases.models import Journey, Stage
from witness_support.custody.models import BailCondition, CustodyEvent, Enrolment
from witness_support.demo import DEMO_PASSWORD, seed_demo
from witness_support.extensions import db


@pytest.mark.real_commits
def test_demo_has_bail_remand_and_an_enrolled_closed_journey(app, client, auth):
    seed_demo(count=12)
    assert sorted(db.session.execute(sa.select(CustodyEvent.kind)).scalars()) == ["bailed", "remanded"]
    no_contact = db.session.execute(sa.select(BailCondition).where(BailCondition.kind == "no_contact")).scalar_one()
    enrolled = db.session.execute(
        sa.select(Enrolment).join(Journey, sa.and_(Journey.witness_id == Enrolment.witness_id,
                                                   Journey.case_id == Enrolment.case_id))
        .where(Journey.stage == Stage.CLOSED, Enrolment.enrolled.is_(True))
    ).scalars().all()
    assert len(enrolled) == 1
    auth.login("officer@demo.invalid", DEMO_PASSWORD)
    case_page = client.get(f"/cases/{no_contact.event.case_id}").get_data(as_text=True)
    assert "released on bail" in case_page and f"no contact with {no_contact.witness.reference}" in case_page
    witness_page = client.get(f"/witnesses/{no_contact.witness_id}").get_data(as_text=True)
    assert "Protection plan revised (revision 1)" in witness_page and "escort to court" in witness_page

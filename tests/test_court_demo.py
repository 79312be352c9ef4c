"""The demo data carries court events, so a newcomer sees the readiness dashboard and a schedule at work."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.court.models import Attendance, CourtEvent
from witness_support.demo import DEMO_PASSWORD, seed_demo
from witness_support.extensions import db


@pytest.mark.real_commits
def test_demo_has_court_events_readiness_and_schedules(app, client, auth):
    seed_demo(count=12)
    kinds = dict(db.session.execute(
        sa.select(CourtEvent.kind, sa.func.count()).group_by(CourtEvent.kind)).all())
    assert kinds == {"familiarisation_visit": 3, "trial_day": 6}
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)).scalar() > 0
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    body = client.get("/court/readiness").get_data(as_text=True)
    assert body.count('class="trial trial-') == 6 and 'class="blocker blocker-' in body
    auth.logout()
    auth.login("support@demo.invalid", DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Your court schedule" in home and "Trial day" in home

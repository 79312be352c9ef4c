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
    # Per case a visit and two trial days; the first case also a visit, a mention and two trial
    # days whose witnesses are made ready (demo._seed_alive).
    assert kinds == {"familiarisation_visit": 4, "trial_day": 8, "mention": 1}
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)).scalar() > 0
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    body = client.get("/court/readiness").get_data(as_text=True)
    assert body.count('class="trial trial-') == 8 and 'class="blocker blocker-' in body
    auth.logout()
    auth.login("support@demo.invalid", DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Your court schedule" in home and "Trial day" in home


@pytest.mark.real_commits
def test_demo_is_alive_on_first_run(app, client, auth):
    seed_demo(count=12)
    auth.login("officer@demo.invalid", DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "No open tasks." not in home and "decision on the video link" in home
    assert "Mention" in home  # court today
    auth.logout()
    auth.login("prosecutor@demo.invalid", DEMO_PASSWORD)
    board = client.get("/court/readiness").get_data(as_text=True)
    for state in ("trial-ready", "trial-partly_ready", "trial-not_ready"):
        assert f'class="trial {state}"' in board, state

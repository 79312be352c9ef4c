"""A row stored out of every range (written past the app, with SQL) never makes a page, a feed or an
API listing fail: each answers 200 with what it can show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from witness_support.extensions import db
from witness_support.feeds import operations as feed_ops

ODD = {"year-9999": (datetime(9999, 12, 31, 20, 0), datetime(9999, 12, 31, 23, 0)),
       "year-1": (datetime(1, 1, 1, 0, 0), datetime(1, 1, 1, 3, 0))}


@pytest.mark.parametrize("when", sorted(ODD))
def test_pages_feeds_and_api_survive_an_odd_stored_event(app, client, auth, api_token, officer, make_witness,
                                                         make_case, make_journey, make_event, when):  # noqa: ANN001
    witness, case = make_witness(), make_case()
    make_journey(witness, case)
    odd = make_event(case, [witness], kind="mention", days=5)
    normal = make_event(case, [witness], kind="pre_trial_hearing", days=9)
    starts, ends = ODD[when]
    db.session.execute(sa.text("UPDATE court_events SET starts_at = :s, ends_at = :e WHERE id = :id"),
                       {"s": starts.replace(tzinfo=UTC), "e": ends.replace(tzinfo=UTC), "id": odd.id})
    db.session.commit()
    db.session.expire_all()
    token = feed_ops.issue_feed_token(officer, officer)
    db.session.commit()
    headers = api_token(officer)
    api = app.test_client()
    for url in (f"/api/v1/cases/{case.id}/court-events", f"/api/v1/court-events/{normal.id}",
                f"/api/v1/witnesses/{witness.id}", f"/api/v1/cases/{case.id}/readiness"):
        assert api.get(url, headers=headers).status_code == 200, url
    feed = client.get(f"/feeds/{token}.ics")
    assert feed.status_code == 200 and f"court-event-{normal.id}@" in feed.get_data(as_text=True)
    assert f"court-event-{odd.id}@" not in feed.get_data(as_text=True)
    auth.login(officer)
    for url in ("/", f"/cases/{case.id}", f"/cases/{case.id}/court-events", f"/court-events/{normal.id}",
                f"/witnesses/{witness.id}", "/court/schedule", "/court/calendar", "/court/readiness",
                f"/cases/{case.id}/readiness", f"/witnesses/{witness.id}/readiness", "/witnesses/"):
        assert client.get(url).status_code == 200, url

"""The officer's notice queue and letters: per role, and 404 for notices of someone else's witness."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops


@pytest.fixture
def letter(app, officer, trial_case):  # noqa: ANN001, ANN201
    setup = trial_case()
    notify_ops.set_preferences(officer, setup.witness, channel="letter", language="en",
                               postal_address="1 Safe Street", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    sweep.send_due()
    return db.session.execute(sa.select(Notification)).scalar_one()


def test_anonymous_goes_to_login(client, letter):
    for path in ("/notifications/queue", f"/notifications/{letter.id}/letter"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/notifications/{letter.id}/delivered").status_code == 302
    assert db.session.get(Notification, letter.id).status == "awaiting_officer"


@pytest.mark.parametrize("role", ["prosecutor", "support_person", "admin", "liaison_officer"])
def test_others_get_404(client, auth, make_user, letter, role):
    auth.login(make_user(role))
    assert client.get(f"/notifications/{letter.id}/letter").status_code == 404
    assert client.post(f"/notifications/{letter.id}/delivered").status_code == 404
    assert db.session.get(Notification, letter.id).status == "awaiting_officer"
    queue = client.get("/notifications/queue")
    if role == "liaison_officer":  # an officer has a queue, but not this witness in it
        assert queue.status_code == 200 and letter.witness.reference not in queue.get_data(as_text=True)
    else:
        assert queue.status_code == 404


def test_delivering_twice_is_refused(client, auth, officer, letter):
    auth.login(officer)
    client.post(f"/notifications/{letter.id}/delivered")
    page = client.post(f"/notifications/{letter.id}/delivered", follow_redirects=True).get_data(as_text=True)
    assert "not waiting for you" in page


def test_home_lists_overdue_notices(client, auth, officer, letter):
    letter_id = letter.id
    db.session.execute(sa.update(Notification).values(deadline_at=Notification.triggered_at))
    db.session.commit()
    auth.login(officer)
    home = client.get("/").get_data(as_text=True)
    assert "Notices overdue or failed" in home and "Overdue" in home
    assert db.session.get(Notification, letter_id).witness.reference in home

"""An invitation that the mail server refuses is reported to the admin, stays visible on the
account page until one is delivered, and can be sent again; in development the page shows the link;
with MAIL_BACKEND=file mail is delivered into a folder."""

from __future__ import annotations

from email import message_from_bytes

import sqlalchemy as sa

from tests.helpers import AuthActions
from witness_support.audit import AuditEvent
from witness_support.auth.models import User
from witness_support.extensions import db


def _invite(app, admin, email="new.person@example.test"):  # noqa: ANN001, ANN202
    client = app.test_client()
    AuthActions(client).login(admin)
    response = client.post("/admin/users/new", data={"email": email, "role": "liaison_officer",
                                                     "display_name": "New Person"})
    return client, response


def test_a_refused_invitation_is_reported_and_can_be_resent_once_mail_works(app, admin, closed_smtp_port, request):
    client, response = _invite(app, admin)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was not delivered" in page and "Invitation sent" not in page
    assert "Not delivered" in page  # the account page keeps saying so
    user = db.session.execute(sa.select(User).where(User.email == "new.person@example.test")).scalar_one()
    assert "Not delivered" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert db.session.execute(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == user.id).order_by(AuditEvent.id)
    ).scalars().all()[-1] == "user.invite_undelivered"

    inbox = request.getfixturevalue("smtp_server")  # mail works again
    resent = client.post(f"/admin/users/{user.id}/resend-invitation")
    page = client.get(resent.headers["Location"]).get_data(as_text=True)
    assert "A new invitation is on its way." in page and "Not delivered" not in page
    (message,) = inbox.messages
    assert message["To"] == "new.person@example.test"


def test_a_delivered_invitation_says_sent_and_shows_no_link_outside_development(app, admin, smtp_server):
    client, response = _invite(app, admin)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invitation sent to new.person@example.test." in page
    assert "Not delivered" not in page and "invitation link is" not in page


def test_in_development_the_page_shows_the_invitation_link(app, admin, tmp_path):
    client = app.test_client()
    AuthActions(client).login(admin)
    app.config.update(DEMO_MODE=True, MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path / "mail"))
    response = client.post("/admin/users/new", data={"email": "new.person@example.test", "role": "liaison_officer",
                                                     "display_name": "New Person"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Development: the invitation link is https://witness.test/invite/" in page
    (eml,) = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "new.person@example.test"
    link = page.split("the invitation link is ", 1)[1].split("<")[0].strip()
    assert link in message.get_payload(decode=True).decode()
    assert app.test_client().get(link.removeprefix("https://witness.test")).status_code == 200

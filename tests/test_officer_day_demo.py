"""The demo shows an officer's day in the first minute: a call logged with a follow-up day that
became a task on the officer's home page, a day the witness cannot attend beside their upcoming
trial days (none on it), the attendance at last week's familiarisation visit, a document on the
witness, and a supervisor account, printed with the other logins, whose home page has "Your team"."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from witness_support.court.models import CourtEvent, EventWitness
from witness_support.db import today_utc, utc_now
from witness_support.demo import DEMO_ACCOUNTS
from witness_support.extensions import db
from witness_support.witnesses.models import Witness


@pytest.fixture
def demo(app, client):  # noqa: ANN001, ANN201
    """The demo as a newcomer loads it (the command, which prints the logins), and those logins."""
    result = app.test_cli_runner().invoke(args=["seed-demo", "--witnesses", "12"])
    assert result.exit_code == 0, result.output
    logins = {email: (role, password) for role, email, password in
              re.findall(r"^  (\S+)\s+(\S+@demo\.invalid)\s+(\S+)$", result.output, re.M)}
    return result.output, logins


def _login(client, auth, logins, email):  # noqa: ANN001, ANN202
    auth.logout()
    auth.login(email, logins[email][1])
    return client.get("/").get_data(as_text=True)


@pytest.mark.real_commits
def test_the_officer_sees_the_follow_up_task_the_call_the_attendance_and_the_document(client, auth, demo):
    _, logins = demo
    home = _login(client, auth, logins, "officer@demo.invalid")
    task = re.search(r"Follow up the call with (W-\d{4}-\d+)", home)
    assert task is not None, "the follow-up day of the logged call is a task on the officer's home page"
    witness = db.session.execute(sa.select(Witness).where(Witness.reference == task.group(1))).scalar_one()
    tomorrow = (today_utc() + timedelta(days=1)).isoformat()

    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    # The timeline: the call, with its follow-up day, and the attendance at last week's visit.
    assert "Contact: call with the witness" in page and f"Follow up on {tomorrow}." in page
    case = witness.journeys[0].case
    assert f"Court attendance: attended (familiarisation visit, {case.reference})" in page
    # The witness page's documents: the uploaded PDF, which opens as one.
    assert "Invented travel letter.pdf" in page
    documents = client.get(f"/witnesses/{witness.id}/documents").get_data(as_text=True)
    download = re.search(r'href="(/documents/\d+[^"]*)"[^>]*>[^<]*Invented travel letter\.pdf', documents)
    assert download is not None, documents[:3000]
    response = client.get(download.group(1))
    assert response.status_code == 200 and response.data.startswith(b"%PDF-") and b"%%EOF" in response.data[-64:]


@pytest.mark.real_commits
def test_a_date_to_avoid_sits_beside_the_witness_upcoming_court_days_not_on_them(client, auth, demo):
    _, logins = demo
    home = _login(client, auth, logins, "officer@demo.invalid")
    reference = re.search(r"Follow up the call with (W-\d{4}-\d+)", home).group(1)
    witness = db.session.execute(sa.select(Witness).where(Witness.reference == reference)).scalar_one()
    contacts = client.get(f"/witnesses/{witness.id}/contacts").get_data(as_text=True)
    avoid = today_utc() + timedelta(days=4)
    row = re.search(r"<tr><td>([^<]+)</td>\s*<td>Medical</td><td>([^<]*)</td>", contacts)
    assert row is not None and row.group(1) == avoid.strftime("%-d %b %Y") and "hospital" in row.group(2)
    # The witness has court days ahead, none of them on the day to avoid, so none needed an override.
    upcoming = db.session.execute(
        sa.select(CourtEvent, EventWitness).join(EventWitness, EventWitness.event_id == CourtEvent.id)
        .where(EventWitness.witness_id == witness.id, CourtEvent.starts_at > utc_now())
    ).all()
    assert upcoming
    days = {event.starts_at.astimezone(ZoneInfo(event.case.court_timezone)).date() for event, _ in upcoming}
    assert avoid not in days and any(day > avoid for day in days) and any(day < avoid for day in days)
    assert all(link.avoid_override_reason is None for _, link in upcoming)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Court, upcoming" in page


@pytest.mark.real_commits
def test_the_supervisor_is_printed_with_the_other_logins_and_sees_the_team(client, auth, demo):
    output, logins = demo
    assert set(logins) >= {"officer@demo.invalid", "prosecutor@demo.invalid", "support@demo.invalid",
                           "admin@demo.invalid", "supervisor@demo.invalid"}
    assert logins["supervisor@demo.invalid"][0] == "supervisor" and "“Your team”" in output
    home = _login(client, auth, logins, "supervisor@demo.invalid")
    assert "Your team" in home
    team = client.get("/supervision/").get_data(as_text=True)
    assert "Lina Liaison" in team
    # Only the supervisor has the panel: the officer they supervise does not.
    assert "Your team" not in _login(client, auth, logins, "officer@demo.invalid")


def test_the_readme_lists_every_demo_login():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{email}`" in readme for email, _, _ in DEMO_ACCOUNTS)

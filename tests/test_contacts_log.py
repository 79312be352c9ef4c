"""The contact log: contacts recorded with their time on the witness's clock, the summary encrypted
at rest, a follow-up turned into a task, support persons' court-day notes for their own witnesses
only, bad input refused beside its field with nothing stored, the pages, the API and the timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from witness_support.audit import AuditEvent
from witness_support.contacts import operations as ops
from witness_support.contacts.models import WitnessContact
from witness_support.db import today_utc, utc_now
from witness_support.errors import NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

SECRET = "Cnrycontactlog says the aunt in Bandung drives her"
JAKARTA = ZoneInfo("Asia/Jakarta")


def _count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def witness(make_witness, make_case, make_journey):  # noqa: ANN001
    """A witness in a case heard in Jakarta (the clock their contacts are read on)."""
    witness = make_witness(legal_name="Invented Contactable Person")
    make_journey(witness, make_case(court_timezone="Asia/Jakarta"))
    return witness


def _log(actor, witness, **changes):  # noqa: ANN001, ANN202
    data = {"occurred_at": utc_now() - timedelta(hours=1), "channel": "call", "summary": SECRET}
    data.update(changes)
    contact = ops.log_contact(actor, witness, **data)
    db.session.commit()
    return contact


# ---- the rules -------------------------------------------------------------------------------------


def test_a_follow_up_becomes_a_task_for_the_officer_due_at_the_end_of_that_day_on_the_witness_clock(
        officer, witness):
    follow_up = today_utc() + timedelta(days=3)
    contact = _log(officer, witness, interpreter_language="Indonesian", interpreter_name="Invented Interpreting",
                   follow_up_on=follow_up, counterpart="guardian")
    task = db.session.get(Task, contact.task_id)
    assert task.assignee_id == officer.id and task.witness_id == witness.id and task.kind == "contact_follow_up"
    assert task.due_at == datetime(follow_up.year, follow_up.month, follow_up.day, 23, 59, 59,
                                   tzinfo=JAKARTA).astimezone(UTC)
    # Tasks show on home pages and lists: the reference, never the name or the summary.
    assert witness.reference in task.title and "Invented" not in task.title and "aunt" not in task.title
    assert contact.timezone == "Asia/Jakarta" and contact.interpreted and contact.counterpart == "guardian"
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "contact.log")).scalar_one()
    assert event.witness_id == witness.id and "aunt" not in str(event.details)
    assert event.details["follow_up_task_id"] == task.id


def test_the_summary_is_encrypted_at_rest(officer, witness):
    contact = _log(officer, witness)
    stored = db.session.execute(sa.text("SELECT summary FROM witness_contacts WHERE id = :id"),
                                {"id": contact.id}).scalar_one()
    assert stored.startswith("gAAAA") and "aunt" not in stored and "Bandung" not in stored
    db.session.expire_all()
    assert db.session.get(WitnessContact, contact.id).summary == SECRET


@pytest.mark.parametrize(("changes", "field"), [
    ({"occurred_at": None}, "occurred_at"),
    ({"occurred_at": datetime(2026, 1, 1, 9, 0)}, "occurred_at"),  # no time zone
    ({"occurred_at": utc_now() + timedelta(hours=2)}, "occurred_at"),  # not yet happened
    ({"occurred_at": datetime(1900, 1, 1, tzinfo=UTC)}, "occurred_at"),
    ({"channel": "pigeon"}, "channel"),
    ({"counterpart": "stranger"}, "counterpart"),
    ({"summary": "   "}, "summary"),
    ({"summary": "x" * 5001}, "summary"),
    ({"interpreter_name": "Invented Interpreting"}, "interpreter_language"),  # who, but not which language
    ({"interpreter_language": "x" * 36}, "interpreter_language"),
    ({"interpreter_language": "Thai", "interpreter_name": "x" * 201}, "interpreter_name"),
    ({"follow_up_on": today_utc() - timedelta(days=2)}, "follow_up_on"),
    ({"follow_up_on": today_utc() + timedelta(days=365 * 20)}, "follow_up_on"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_stored(officer, witness, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _log(officer, witness, **changes)
    db.session.rollback()
    assert field in refused.value.field_errors
    assert _count(WitnessContact) == 0 and _count(Task) == 0


def test_a_support_person_logs_court_day_notes_for_their_own_witness_only(officer, support_person, make_user,
                                                                          witness, make_witness):
    witness_ops.assign_support(officer, witness, support_person, "interpreter")
    db.session.commit()
    # The follow-up of a support person's note goes to the witness's officer.
    note = _log(support_person, witness, channel="court_day", follow_up_on=today_utc() + timedelta(days=1))
    assert note.staff_id == support_person.id
    assert db.session.get(Task, note.task_id).assignee_id == officer.id
    with pytest.raises(ValidationFailed) as refused:
        _log(support_person, witness, channel="call")
    db.session.rollback()
    assert "channel" in refused.value.field_errors
    other = make_witness()
    with pytest.raises(NotFound):
        _log(support_person, other, channel="court_day")
    db.session.rollback()
    assignment = next(a for a in witness.assignments if a.user_id == support_person.id)
    witness_ops.end_assignment(officer, assignment)
    db.session.commit()
    with pytest.raises(NotFound):
        _log(support_person, witness, channel="court_day")
    db.session.rollback()
    assert _count(WitnessContact) == 1


def test_a_follow_up_with_no_officer_to_take_it_is_refused(officer, support_person, witness):
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    for assignment in [a for a in witness.assignments if a.role == "liaison_officer"]:
        witness_ops.end_assignment(officer, assignment)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        _log(support_person, witness, channel="court_day", follow_up_on=today_utc() + timedelta(days=1))
    db.session.rollback()
    assert "no officer" in refused.value.field_errors["follow_up_on"]
    assert _count(WitnessContact) == 0


# ---- the pages ---------------------------------------------------------------------------------------


def test_officer_logs_a_contact_on_the_witness_clock_and_sees_it_and_its_task(client, auth, officer, witness):
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}")
    assert f"/witnesses/{witness.id}/contacts" in page.get_data(as_text=True)
    form = client.get(f"/witnesses/{witness.id}/contacts/new").get_data(as_text=True)
    assert "Asia/Jakarta" in form
    yesterday = today_utc() - timedelta(days=1)
    follow_up = today_utc() + timedelta(days=2)
    done = client.post(f"/witnesses/{witness.id}/contacts/new", data={
        "occurred_at": f"{yesterday.isoformat()}T10:30", "channel": "visit", "counterpart": "witness",
        "interpreter_language": "Indonesian", "summary": SECRET, "follow_up_on": follow_up.isoformat()})
    assert done.status_code == 302 and done.headers["Location"].endswith("#log")
    contact = db.session.execute(sa.select(WitnessContact)).scalar_one()
    # 10:30 in Jakarta (UTC+7) is 03:30 UTC.
    assert contact.occurred_at == datetime(yesterday.year, yesterday.month, yesterday.day, 3, 30, tzinfo=UTC)
    body = client.get(f"/witnesses/{witness.id}/contacts").get_data(as_text=True)
    assert SECRET in body and "10:30" in body and f"/tasks/{contact.task_id}" in body
    witness_page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert "Contact: visit with the witness (interpreted: Indonesian)" in witness_page and SECRET in witness_page
    # Reading the log is audited, as a read of the witness's contact details.
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.view",
                                                          AuditEvent.witness_id == witness.id)).first()


def test_bad_input_on_the_form_is_shown_beside_the_field_and_nothing_is_stored(client, auth, officer, witness):
    auth.login(officer)
    tomorrow = today_utc() + timedelta(days=1)
    refused = client.post(f"/witnesses/{witness.id}/contacts/new", data={
        "occurred_at": f"{tomorrow.isoformat()}T23:00", "channel": "call", "counterpart": "witness",
        "summary": "", "follow_up_on": (today_utc() - timedelta(days=3)).isoformat()})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert 'id="occurred_at-error"' in body and "in the future" in body
    assert 'id="summary-error"' in body and "Summarise the contact." in body
    assert _count(WitnessContact) == 0 and _count(Task) == 0


def test_support_persons_and_prosecutors_on_the_contact_pages(client, auth, officer, prosecutor, support_person,
                                                              make_user, witness, make_case, make_journey):
    _log(officer, witness)
    witness_ops.assign_support(officer, witness, support_person, "interpreter")
    stranger = make_user("support_person")
    db.session.commit()
    # An interpreter may write a court-day note but does not read the log (no contact group).
    auth.login(support_person)
    page = client.get(f"/witnesses/{witness.id}/contacts").get_data(as_text=True)
    assert "Log a court-day note" in page and SECRET not in page
    form = client.get(f"/witnesses/{witness.id}/contacts/new").get_data(as_text=True)
    assert "Court day" in form and ">Call<" not in form
    done = client.post(f"/witnesses/{witness.id}/contacts/new", data={
        "occurred_at": f"{today_utc().isoformat()}T00:00", "channel": "court_day", "counterpart": "witness",
        "summary": "Waited two hours; gave evidence after lunch"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/witnesses/{witness.id}")
    assert _count(WitnessContact) == 2
    auth.logout()
    # A support person not assigned to the witness: not found, and nothing stored.
    auth.login(stranger)
    assert client.get(f"/witnesses/{witness.id}/contacts/new").status_code == 404
    assert client.post(f"/witnesses/{witness.id}/contacts/new", data={
        "channel": "court_day", "counterpart": "witness", "summary": "x"}).status_code == 404
    auth.logout()
    assert _count(WitnessContact) == 2
    # A prosecutor on the case sees the witness, not the contact log, and cannot write in it.
    case = witness.journeys[0].case
    from witness_support.cases import operations as case_ops

    case_ops.assign_to_case(officer, case, prosecutor)
    db.session.commit()
    auth.login(prosecutor)
    page = client.get(f"/witnesses/{witness.id}/contacts")
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)
    assert client.get(f"/witnesses/{witness.id}/contacts/new").status_code == 404


# ---- the API ---------------------------------------------------------------------------------------


def test_contacts_api_logs_pages_and_refuses(client, officer, prosecutor, support_person, make_user, witness,
                                            api_token):
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}/contacts"
    for hours in (5, 4, 3):
        answer = client.post(url, headers=headers, json={
            "occurred_at": (utc_now() - timedelta(hours=hours)).isoformat(), "channel": "message",
            "summary": f"{SECRET} {hours}"})
        assert answer.status_code == 201, answer.json
    # Without an offset the time is read on the witness's clock.
    answer = client.post(url, headers=headers, json={
        "occurred_at": f"{(today_utc() - timedelta(days=1)).isoformat()}T08:00", "channel": "letter",
        "summary": "Letter about the trial date", "follow_up_on": (today_utc() + timedelta(days=5)).isoformat()})
    assert answer.status_code == 201
    assert answer.json["occurred_at"].endswith("T01:00:00+00:00") and answer.json["task_id"]
    assert answer.json["local_occurred_at"].endswith("T08:00:00+07:00")
    first = client.get(f"{url}?limit=2", headers=headers).json
    assert [c["summary"] for c in first["items"]] == [f"{SECRET} 3", f"{SECRET} 4"]
    rest = client.get(f"{url}?limit=2&after={first['next_after']}", headers=headers).json
    assert [c["channel"] for c in rest["items"]] == ["message", "letter"] and rest["next_after"] is None
    # Bad input: a 422 naming the field, and nothing stored.
    for body, field in (({"occurred_at": "yesterday", "channel": "call", "summary": "x"}, "occurred_at"),
                        ({"occurred_at": utc_now().isoformat(), "channel": "fax", "summary": "x"}, "channel"),
                        ({"occurred_at": utc_now().isoformat(), "channel": "call", "summary": ""}, "summary")):
        refused = client.post(url, headers=headers, json=body)
        assert refused.status_code == 422 and field in refused.json["error"]["fields"], refused.json
    assert client.get(f"{url}?after=999999", headers=headers).status_code == 422
    assert _count(WitnessContact) == 4
    # Need to know: the prosecution has no contact log; a stranger's witness is not found.
    assert client.get(url, headers=api_token(prosecutor)).status_code == 404
    assert client.post(url, headers=api_token(make_user("support_person")), json={
        "occurred_at": utc_now().isoformat(), "channel": "court_day", "summary": "x"}).status_code == 404
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    db.session.commit()
    supporter = api_token(support_person)
    refused = client.post(url, headers=supporter, json={
        "occurred_at": utc_now().isoformat(), "channel": "call", "summary": "x"})
    assert refused.status_code == 422 and "channel" in refused.json["error"]["fields"]
    noted = client.post(url, headers=supporter, json={
        "occurred_at": utc_now().isoformat(), "channel": "court_day", "summary": "Court day went well"})
    assert noted.status_code == 201 and noted.json["summary"] == "Court day went well"
    assert len(client.get(f"{url}?limit=200", headers=supporter).json["items"]) == 5


def test_the_contact_page_shows_older_contacts_a_page_at_a_time(client, auth, officer, witness):
    for number in range(26):
        ops.log_contact(officer, witness, occurred_at=utc_now() - timedelta(hours=number + 1), channel="message",
                        summary=f"Contact number {number:02d}")
    db.session.commit()
    auth.login(officer)
    first = client.get(f"/witnesses/{witness.id}/contacts").get_data(as_text=True)
    assert "Contact number 00" in first and "Contact number 24" in first and "Contact number 25" not in first
    older = re.search(r'href="([^"]*after=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    rest = client.get(older).get_data(as_text=True)
    assert "Contact number 25" in rest and "Contact number 24" not in rest and "Older contacts" not in rest

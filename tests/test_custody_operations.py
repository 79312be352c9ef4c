"""Custody history: every kind recorded with its times and source, corrections as new entries, the
database refusing edits, bad input refused with nothing saved; notices to the case's witnesses
(enrolled after the case, not opted out), deadlines, risk-review tasks, the at-large flag."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, review_before_closing
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.custody import queries as custody_queries
from witness_support.custody.models import BailCondition, CustodyEvent, EventKind
from witness_support.db import today_utc, utc_now
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.tasks.models import Task

TZ = "Asia/Jakarta"


@pytest.fixture
def custody_case(officer, make_case, make_witness, make_journey):  # noqa: ANN001, ANN201
    case = make_case(court_timezone=TZ)
    defendant = case_ops.add_defendant(officer, case, name=CANARY_OFFENDER, custody_status="remanded")
    db.session.commit()
    witnesses = [make_witness(), make_witness()]
    journeys = [make_journey(witness=w, case=case) for w in witnesses]
    return case, defendant, witnesses, journeys


def _record(officer, defendant, kind, **fields):  # noqa: ANN001, ANN202
    fields.setdefault("occurred_at", utc_now() - timedelta(hours=2))
    fields.setdefault("source", "Court clerk by phone")
    event = custody_ops.record_custody_event(officer, defendant, kind=kind, **fields)
    db.session.commit()
    return event


def _notices(kind: str | None = None) -> list[Notification]:
    db.session.expire_all()
    query = sa.select(Notification).order_by(Notification.witness_id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def _tasks(kind: str) -> list[Task]:
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind).order_by(Task.witness_id)).scalars())


@pytest.mark.parametrize("kind", sorted(set(EventKind) - {EventKind.PAROLE_HEARING}))
def test_every_kind_is_recorded_with_times_source_and_who(app, officer, custody_case, kind):
    case, defendant, _, _ = custody_case
    occurred = utc_now() - timedelta(days=1)
    event = _record(officer, defendant, kind, occurred_at=occurred, learned_at=occurred + timedelta(hours=3))
    assert (event.kind, event.source, event.entered_by_id) == (kind, "Court clerk by phone", officer.id)
    assert event.occurred_at == occurred and event.learned_at == occurred + timedelta(hours=3)
    [entry] = custody_queries.case_custody(case.id)
    assert entry.current.id == event.id


def test_bail_with_conditions_shows_in_words_and_sets_the_status(app, officer, custody_case):
    case, defendant, (first, second), _ = custody_case
    _record(officer, defendant, "bailed", conditions=[
        {"kind": "no_contact", "witness_id": first.id},
        {"kind": "exclusion_zone", "text": "Pasar Baru market district"},
        {"kind": "curfew", "text": "20:00 to 06:00"},
        {"kind": "passport_surrendered"},
    ])
    db.session.refresh(defendant)
    assert defendant.custody_status == "bailed"
    [entry] = custody_queries.case_custody(case.id)
    words = [custody_queries.condition_words(c) for c in entry.conditions]
    assert words == [f"no contact with {first.reference}", "must not enter: Pasar Baru market district",
                     "curfew: 20:00 to 06:00", "passport surrendered"]


def test_a_correction_is_a_new_entry_and_the_history_cannot_be_edited(app, officer, custody_case):
    case, defendant, _, _ = custody_case
    wrong = _record(officer, defendant, "escaped")
    assert db.session.get(type(defendant), defendant.id).custody_status == "at_large"
    with pytest.raises(ValidationFailed) as refused:
        custody_ops.record_custody_event(officer, defendant, kind="remanded", occurred_at=wrong.occurred_at,
                                         source="Prison", corrects_id=wrong.id)
    assert "note" in refused.value.field_errors
    fixed = _record(officer, defendant, "remanded", occurred_at=wrong.occurred_at, corrects_id=wrong.id,
                    note="Entered against the wrong defendant.")
    db.session.refresh(defendant)
    assert defendant.custody_status == "remanded"
    [entry] = custody_queries.case_custody(case.id)
    assert entry.current.id == fixed.id and {e.id for e in entry.events} == {wrong.id, fixed.id}
    for statement in (sa.update(CustodyEvent).where(CustodyEvent.id == wrong.id).values(kind="bailed"),
                      sa.delete(CustodyEvent).where(CustodyEvent.id == wrong.id)):
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(CustodyEvent, wrong.id).kind == "escaped"


@pytest.mark.parametrize(("kind", "fields", "field", "words"), [
    ("sentenced", {"release_date_days": -400}, "release_date", "before the sentence date"),
    ("parole_hearing", {"hearing_on_days": -1}, "hearing_on", "in the past"),
    ("bailed", {"conditions": "outsider"}, "conditions", "not a witness in case"),
    ("bailed", {"conditions": [{"kind": "exclusion_zone", "text": ""}]}, "conditions", "describe"),
    ("remanded", {"source": ""}, "source", "Say where"),
    ("remanded", {"occurred_days": 3}, "occurred_at", "future"),
])
def test_bad_input_is_refused_and_nothing_is_saved(app, officer, custody_case, make_witness,  # noqa: ANN001, PLR0913
                                                   kind, fields, field, words):
    case, defendant, _, _ = custody_case
    values = {"occurred_at": utc_now() - timedelta(days=1), "source": "Court"}
    if "release_date_days" in fields:
        values["release_date"] = today_utc() + timedelta(days=fields["release_date_days"])
    if "hearing_on_days" in fields:
        values["hearing_on"] = today_utc() + timedelta(days=fields["hearing_on_days"])
    if "occurred_days" in fields:
        values["occurred_at"] = utc_now() + timedelta(days=fields["occurred_days"])
    if fields.get("conditions") == "outsider":
        values["conditions"] = [{"kind": "no_contact", "witness_id": make_witness().id}]
    elif "conditions" in fields:
        values["conditions"] = fields["conditions"]
    if "source" in fields:
        values["source"] = fields["source"]
    with pytest.raises(ValidationFailed) as refused:
        custody_ops.record_custody_event(officer, defendant, kind=kind, **values)
    db.session.rollback()
    assert words in refused.value.field_errors[field]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CustodyEvent)).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(BailCondition)).scalar() == 0
    assert _notices() == []


def test_bail_decision_reaches_safe_email_in_their_language_with_only_their_conditions(
    app, officer, custody_case, smtp_server,  # noqa: ANN001
):
    case, defendant, (first, second), _ = custody_case
    notify_ops.set_preferences(officer, first, channel="email", language="id", email="safe-1@example.test",
                               contact_is_safe=True)
    notify_ops.set_preferences(officer, second, channel="email", language="en", email="safe-2@example.test",
                               contact_is_safe=True)
    db.session.commit()
    event = _record(officer, defendant, "bailed", conditions=[
        {"kind": "no_contact", "witness_id": first.id},
        {"kind": "residence", "text": "Jalan Kenanga 4"},
    ])
    notices = _notices("bail")
    assert [n.witness_id for n in notices] == sorted([first.id, second.id])
    # Within one working day of entry, in the court's calendar.
    for notice in notices:
        assert notice.triggered_at == event.entered_at
        assert timedelta(hours=20) < notice.deadline_at - event.entered_at <= timedelta(days=4)
    result = sweep.send_due()
    assert result.sent == 2
    by_address = {m["To"]: m.get_content() for m in smtp_server.messages}
    assert f"{CANARY_OFFENDER} dilarang menghubungi Anda" in by_address["safe-1@example.test"]
    assert "dilepaskan dengan jaminan" in by_address["safe-1@example.test"]
    # The other witness is not named in the no-contact condition: they are not told of it.
    assert "must not contact" not in by_address["safe-2@example.test"]
    assert "released on bail" in by_address["safe-2@example.test"]
    # Residence does not concern them: nobody is told where the defendant lives.
    assert all("Kenanga" not in body for body in by_address.values())
    for notice in _notices("bail"):
        assert notice.status == "sent" and notice.sent_at <= notice.deadline_at


def test_each_change_raises_a_risk_review_within_a_working_day(app, officer, custody_case):
    case, defendant, witnesses, _ = custody_case
    event = _record(officer, defendant, "warrant_issued")
    tasks = _tasks("custody_risk_review")
    assert [t.witness_id for t in tasks] == sorted(w.id for w in witnesses)
    assert all(t.assignee_id == officer.id and t.urgent for t in tasks)
    assert all(t.due_at - event.entered_at <= timedelta(days=4) for t in tasks)
    assert all(CANARY_OFFENDER not in t.title for t in tasks)
    # At large: within the hour, and the flag shows for the case's witnesses.
    [notice, _] = _notices("at_large")
    assert notice.deadline_at - notice.triggered_at == timedelta(hours=1)
    with app.test_request_context():
        assert all(custody_queries.offender_at_large(w) for w in witnesses)


def test_an_undelivered_escape_becomes_an_urgent_task_within_the_hour(app, officer, custody_case, closed_smtp_port):
    case, defendant, (first, _), _ = custody_case
    notify_ops.set_preferences(officer, first, channel="email", language="en", email="w@example.test",
                               contact_is_safe=True)
    db.session.commit()
    _record(officer, defendant, "escaped")
    sweep.send_due()
    [task] = [t for t in _tasks("notice_undelivered") if t.witness_id == first.id]
    assert task.urgent and task.due_at - utc_now() <= timedelta(hours=1)


def test_an_escape_after_the_journey_closed_reaches_the_enrolled_not_the_opted_out(app, officer, custody_case):
    case, defendant, (stays, leaves), journeys = custody_case
    review_before_closing(officer, journeys[0])
    custody_ops.close_journey(officer, journeys[0], reason="Trial over", stay_enrolled=True)
    review_before_closing(officer, journeys[1])
    custody_ops.close_journey(officer, journeys[1], reason="Trial over", stay_enrolled=False)
    db.session.commit()
    _record(officer, defendant, "escaped")
    assert [n.witness_id for n in _notices("escaped")] == [stays.id]
    # Bail news is not an offender notice after the case: the closed journeys hear nothing of it.
    _record(officer, defendant, "bailed")
    assert _notices("bail") == []


def test_opting_out_cancels_queued_notices_at_once(app, officer, custody_case):
    case, defendant, (witness, _), journeys = custody_case
    review_before_closing(officer, journeys[0])
    custody_ops.close_journey(officer, journeys[0], reason="Trial over", stay_enrolled=True)
    db.session.commit()
    _record(officer, defendant, "released")
    [notice] = [n for n in _notices("released") if n.witness_id == witness.id]
    assert notice.status == "pending"
    custody_ops.set_enrolment(officer, witness, case, enrolled=False, reason="Wants no more news")
    db.session.commit()
    assert db.session.get(Notification, notice.id).status == "cancelled"
    assert sweep.send_due().sent == 0


def test_enrolment_ends_at_the_latest_sentence_end(app, officer, custody_case):
    case, defendant, (witness, _), journeys = custody_case
    outcome = outcome_ops.record_outcome(officer, defendant, verdict="convicted", sentence_kind="imprisonment",
                                         sentence_months=12, proposed_release_date=today_utc() + timedelta(days=1))
    # The sentence has since ended (a proposed release date is refused in the past when recorded).
    outcome.proposed_release_date = today_utc() - timedelta(days=1)
    review_before_closing(officer, journeys[0])
    custody_ops.close_journey(officer, journeys[0], reason="Trial over", stay_enrolled=True)
    db.session.commit()
    _record(officer, defendant, "recalled")
    assert witness.id not in [n.witness_id for n in _notices("recalled")]


def test_released_raises_a_check_in_within_two_working_days(app, officer, custody_case):
    case, defendant, witnesses, _ = custody_case
    event = _record(officer, defendant, "released")
    tasks = _tasks("release_check_in")
    assert [t.witness_id for t in tasks] == sorted(w.id for w in witnesses)
    assert all(timedelta(days=1) < t.due_at - event.entered_at <= timedelta(days=5) for t in tasks)


def test_a_witness_whose_officer_left_is_tasked_to_the_team(app, officer, make_user, custody_case):
    case, defendant, witnesses, _ = custody_case
    team = make_user(role="liaison_officer")
    app.config["AFTERCARE_TEAM_EMAIL"] = team.email
    officer.active = False
    db.session.commit()
    _record(officer, defendant, "escaped")
    assert {t.assignee_id for t in _tasks("custody_risk_review")} == {team.id}


def test_release_approaching_raises_a_safety_planning_task(app, officer, custody_case):
    case, defendant, witnesses, _ = custody_case
    outcome_ops.record_outcome(officer, defendant, verdict="convicted", sentence_kind="imprisonment",
                               sentence_months=12, proposed_release_date=today_utc() + timedelta(days=30))
    db.session.commit()
    assert sweep.send_due().reminders == 2
    tasks = _tasks("safety_planning")
    assert [t.witness_id for t in tasks] == sorted(w.id for w in witnesses)
    assert all(t.assignee_id == officer.id for t in tasks)
    sweep.raise_safety_planning(utc_now())
    assert sweep.send_due().reminders == 0
    assert len(_tasks("safety_planning")) == 2


def test_the_offender_at_large_flag_reads_only_the_witnesses_a_page_shows(
    client, auth, officer, make_case, make_journey, count_queries
):
    """The list reads the flag of its own rows in one statement, whoever else has a defendant at
    large; a page showing one witness reads that witness's flag alone. The flag stays right."""
    at_large, held = make_case(), make_case()
    case_ops.add_defendant(officer, at_large, name="Invented Defendant A", custody_status="at_large")
    case_ops.add_defendant(officer, held, name="Invented Defendant B", custody_status="remanded")
    flagged = make_journey(case=at_large).witness
    calm = make_journey(case=held).witness
    others = [make_journey(case=at_large).witness for _ in range(3)]
    db.session.commit()
    auth.login(officer)
    client.get("/witnesses/")
    with count_queries() as statements:
        page = client.get("/witnesses/").get_data(as_text=True)
    reads = [s for s in statements if "custody_status" in s]
    assert len(reads) == 1 and "journeys.witness_id IN" in reads[0]  # the page's rows, not every witness
    rows = dict(re.findall(r'<th scope="row"><a[^>]*>(W-[^<]+)</a>(.*?)</th>', page, re.S))
    assert "Offender at large" in rows[flagged.reference]
    assert "Offender at large" not in rows[calm.reference]
    assert all("Offender at large" in rows[w.reference] for w in others)
    # One witness's page: its flag alone, on its own.
    assert "Offender at large" in client.get(f"/witnesses/{flagged.id}").get_data(as_text=True)
    assert "Offender at large" not in client.get(f"/witnesses/{calm.id}").get_data(as_text=True)


def test_the_home_page_reads_the_overdue_reviews_flags_with_their_rows(
    client, auth, officer, make_case, make_journey, count_queries
):
    """The home page's overdue risk reviews carry the "offender at large" flag, read in the
    panels' own statement: no read of the flags on their own."""
    at_large, held = make_case(), make_case()
    case_ops.add_defendant(officer, at_large, name="Invented Defendant A", custody_status="at_large")
    case_ops.add_defendant(officer, held, name="Invented Defendant B", custody_status="remanded")
    flagged, calm = make_journey(case=at_large).witness, make_journey(case=held).witness
    for witness in (flagged, calm):
        witness.next_review_on = today_utc() - timedelta(days=3)
    db.session.commit()
    auth.login(officer)
    client.get("/")
    with count_queries() as statements:
        page = client.get("/").get_data(as_text=True)
    assert not [s for s in statements if s.startswith("SELECT DISTINCT journeys.witness_id")]  # the flags alone
    overdue = page.split('id="overdue-title"')[1].split("</section>")[0]
    rows = dict(re.findall(r'<li><a[^>]*>(W-[^<]+)</a>(.*?)</li>', overdue, re.S))
    assert "Offender at large" in rows[flagged.reference]
    assert "Offender at large" not in rows[calm.reference]

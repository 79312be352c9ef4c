"""Delivering notices: real SMTP (aiosmtpd), the SMS file transport, letters, visits, the safe-contact
rule, languages, retries, escalation, and sending only what was committed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

RELEASE = "2031-07-14"


def _prefs(officer, witness, **fields):  # noqa: ANN001, ANN202
    fields.setdefault("language", "en")
    notify_ops.set_preferences(officer, witness, **fields)
    db.session.commit()


def _convict(officer, setup):  # noqa: ANN001, ANN202
    from datetime import date

    outcome = outcome_ops.record_outcome(
        officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment", sentence_months=84,
        sentenced_on=today_utc(), proposed_release_date=date.fromisoformat(RELEASE),
    )
    db.session.commit()
    return outcome


def _notice(kind: str, witness_id: int) -> Notification:
    return db.session.execute(
        sa.select(Notification).where(Notification.kind == kind, Notification.witness_id == witness_id)
    ).scalar_one()


def _tasks(kind: str) -> list[Task]:
    return list(db.session.execute(sa.select(Task).where(Task.kind == kind)).scalars())


def test_safe_email_carries_the_details(app, officer, trial_case, smtp_server):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True)
    _convict(officer, setup)
    result = sweep.send_due()
    assert result.sent == 2  # verdict and sentence
    assert sorted(m["To"] for m in smtp_server.messages) == ["safe@example.test"] * 2
    text = "\n".join(smtp_server.bodies())
    assert CANARY_OFFENDER in text and RELEASE in text and "guilty" in text
    subjects = {m["Subject"] for m in smtp_server.messages}
    assert subjects == {"The court has decided", "The sentence"}
    notice = _notice("sentence", setup.witness.id)
    assert notice.status == "sent" and notice.minimal is False and notice.sent_at is not None


def test_unsafe_email_says_only_there_is_news(app, officer, trial_case, smtp_server):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="shared@example.test", contact_is_safe=False)
    _convict(officer, setup)
    sweep.send_due()
    assert len(smtp_server.messages) == 2
    for body in smtp_server.bodies():
        assert CANARY_OFFENDER not in body and RELEASE not in body and "guilty" not in body
        assert "There is news" in body and officer.display_name in body
    assert all(m["Subject"] == "News from witness support" for m in smtp_server.messages)


def test_sms_never_carries_details_even_to_a_safe_number(app, officer, trial_case, sms_dir):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="sms", phone="+62 811 0000 0000", contact_is_safe=True)
    _convict(officer, setup)
    result = sweep.send_due()
    assert result.sent == 2
    files = sorted(sms_dir.iterdir())
    assert len(files) == 2
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert content.startswith("To: +62 811 0000 0000")
        assert CANARY_OFFENDER not in content and RELEASE not in content and "convicted" not in content
        assert officer.display_name in content
    assert _notice("verdict", setup.witness.id).minimal is True


def test_child_is_told_through_the_guardian(app, officer, make_user, make_witness, make_journey, smtp_server):
    witness = make_witness(presumed_child=True)
    guardian = make_user("support_person", email="guardian@example.test")
    witness_ops.assign_support(officer, witness, guardian, "guardian")
    # Even a witness preference for SMS does not route a child's notice to the child's phone.
    _prefs(officer, witness, channel="sms", phone="+62 800")
    journey = make_journey(witness=witness)
    notify_ops.queue_notice(witness.id, "released", context={"offender": CANARY_OFFENDER, "changed_on": "2027-01-02"},
                            triggered_at=utc_now(), case_id=journey.case_id)
    db.session.commit()
    sweep.send_due()
    [message] = smtp_server.messages
    assert message["To"] == "guardian@example.test"
    assert CANARY_OFFENDER in message.get_content()
    assert _notice("released", witness.id).recipient == "guardian"


def test_indonesian_text_and_english_fallback_with_a_warning(app, officer, trial_case, smtp_server):
    setup = trial_case(witnesses=2)
    _prefs(officer, setup.witnesses[0], channel="email", email="id@example.test", contact_is_safe=True, language="id")
    _prefs(officer, setup.witnesses[1], channel="email", email="th@example.test", contact_is_safe=True, language="th")
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    sweep.send_due()
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert "Pengadilan telah menjatuhkan putusan" in by_address["id@example.test"].get_content()
    assert "bersalah" in by_address["id@example.test"].get_content()
    assert "The court has reached its verdict" in by_address["th@example.test"].get_content()
    thai = _notice("verdict", setup.witnesses[1].id)
    assert thai.language == "en" and thai.language_fallback is True
    [warning] = _tasks("notice_translation")
    assert warning.witness_id == setup.witnesses[1].id and "'th'" in warning.title
    assert _notice("verdict", setup.witnesses[0].id).language_fallback is False


def test_letter_waits_in_the_print_queue(app, officer, trial_case, client, auth):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="letter", postal_address="1 Safe Street", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    result = sweep.send_due()
    assert result.handed_to_officer == 1 and result.sent == 0
    notice = _notice("verdict", setup.witness.id)
    assert notice.status == "awaiting_officer" and notice.channel == "letter"
    auth.login(officer)
    queue = client.get("/notifications/queue").get_data(as_text=True)
    assert setup.witness.reference in queue and "Print letter" in queue
    letter = client.get(f"/notifications/{notice.id}/letter").get_data(as_text=True)
    assert "1 Safe Street" in letter and CANARY_OFFENDER in letter
    assert client.post(f"/notifications/{notice.id}/delivered").status_code == 302
    assert db.session.get(Notification, notice.id).status == "sent"


def test_in_person_becomes_a_task(app, officer, trial_case):
    setup = trial_case()
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.commit()
    sweep.send_due()  # no preferences stored: in person by default
    [task] = _tasks("deliver_notice")
    assert task.assignee_id == officer.id and setup.witness.reference in task.title
    assert CANARY_OFFENDER not in task.title
    notice = _notice("verdict", setup.witness.id)
    assert notice.status == "awaiting_officer"
    notify_ops.mark_delivered(officer, notice)
    db.session.commit()
    db.session.refresh(task)
    assert task.done_at is not None and notice.delivered_by_id == officer.id


def test_failed_send_retries_with_backoff_then_fails_and_shows(app, officer, trial_case, closed_smtp_port, client,
                                                               auth):
    app.config["NOTIFICATION_MAX_ATTEMPTS"] = 2
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")
    db.session.commit()
    now = utc_now()
    first = sweep.send_due(now=now)
    notice = _notice("verdict", setup.witness.id)
    assert first.retrying == 1 and notice.status == "pending" and notice.attempts == 1
    assert notice.next_attempt_at == now + timedelta(seconds=60)
    assert notice.last_error == "ConnectionRefusedError"
    assert sweep.send_due(now=now).retrying == 0  # not due again before the backoff
    second = sweep.send_due(now=now + timedelta(seconds=61))
    db.session.refresh(notice)
    assert second.failed == 1 and notice.status == "failed" and notice.attempts == 2
    [urgent] = _tasks("notice_undelivered")
    assert urgent.urgent and urgent.assignee_id == officer.id
    auth.login(officer)
    home = client.get("/").get_data(as_text=True)
    assert "Notices overdue or failed" in home and setup.witness.reference in home and "Failed" in home


def test_undelivered_an_hour_before_the_deadline_becomes_urgent(app, officer, trial_case, closed_smtp_port):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True)
    outcome_ops.update_outcome  # noqa: B018 - the custody path below triggers an immediate notice
    outcome = outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="fine")
    db.session.commit()
    notice = _notice("verdict", setup.witness.id)
    # Well before the deadline: a failed attempt is retried, no task yet.
    sweep.send_due(now=notice.triggered_at)
    assert _tasks("notice_undelivered") == []
    # Fifty-nine minutes before the deadline and still undelivered: urgent.
    result = sweep.send_due(now=notice.deadline_at - timedelta(minutes=59))
    assert result.escalated >= 1
    tasks = {t.source_id: t for t in _tasks("notice_undelivered")}
    assert tasks[notice.id].urgent
    assert db.session.get(Notification, notice.id).urgent_task_id == tasks[notice.id].id
    # An escape is immediate: one failed attempt is already within the last hour.
    outcome_ops.record_custody_change(officer, outcome, "escaped")
    db.session.commit()
    sweep.send_due()
    escaped = _notice("escaped", setup.witness.id)
    assert escaped.urgent_task_id is not None


def test_rolled_back_change_sends_nothing(app, officer, trial_case, smtp_server):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    db.session.rollback()
    assert sweep.send_due().sent == 0
    assert smtp_server.messages == []


@pytest.mark.real_commits
def test_sweep_sees_only_committed_notices(app, officer, make_witness):
    witness = make_witness()
    notify_ops.queue_notice(witness.id, "verdict", context={}, triggered_at=utc_now(), dedup_key="uncommitted")
    db.session.flush()
    seen: list[list[int]] = []

    def other_server() -> None:
        with app.app_context():
            seen.append(sweep.due_notice_ids(utc_now() + timedelta(seconds=1)))

    thread = threading.Thread(target=other_server)
    thread.start()
    thread.join()
    assert seen == [[]]
    db.session.commit()
    thread = threading.Thread(target=other_server)
    thread.start()
    thread.join()
    assert len(seen[1]) == 1


def test_release_reminders_thirty_and_seven_days_before(app, officer, trial_case, smtp_server):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True,
           opted_out=["verdict", "sentence"])
    outcome = outcome_ops.record_outcome(
        officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment", sentence_months=12,
        proposed_release_date=today_utc() + timedelta(days=30),
    )
    db.session.commit()
    assert sweep.send_due().reminders == 1
    assert sweep.send_due().reminders == 0  # found once only
    [message] = smtp_server.messages
    assert "in 30 days" in message.get_content()
    # The release date moves nearer: the 7-day reminder alone is raised.
    outcome_ops.update_outcome(officer, outcome, proposed_release_date=today_utc() + timedelta(days=7))
    db.session.commit()
    assert sweep.send_due().reminders == 1
    assert "in 7 days" in smtp_server.messages[-1].get_content()


def test_send_due_command(app, officer, trial_case, smtp_server):
    setup = trial_case()
    _prefs(officer, setup.witness, channel="email", email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="dismissed")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send-due"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent 1,")
    assert CANARY_OFFENDER not in result.output
    assert len(smtp_server.messages) == 1

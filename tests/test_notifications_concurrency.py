"""Two app servers sweeping at once never send the same notice twice (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.helpers import sweep_on_two_servers
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification

# Two sweeps and two requests race on connections of their own: what they claim must be committed.
pytestmark = pytest.mark.real_commits


def _queue_emails(officer, make_witness, count: int) -> list[int]:  # noqa: ANN001
    ids = []
    for index in range(count):
        witness = make_witness()
        notify_ops.set_preferences(officer, witness, channel="email", language="en",
                                   email=f"witness-{index}@example.test", contact_is_safe=True)
        notice = notify_ops.queue_notice(witness.id, "hearing_set", context={"new_start": "2027-05-01 09:00"},
                                         triggered_at=utc_now(), dedup_key=f"race-{index}")
        ids.append(notice.id)
    db.session.commit()
    return ids


def test_two_concurrent_sweeps_send_each_notice_once(app, officer, make_witness, smtp_server):
    ids = _queue_emails(officer, make_witness, 12)
    results, errors = sweep_on_two_servers(app)
    assert errors == []
    sent_1, sent_2 = set(results["app-1"].sent_ids), set(results["app-2"].sent_ids)
    assert sent_1.isdisjoint(sent_2)
    assert sent_1 | sent_2 == set(ids)
    assert results["app-1"].lost_claims + results["app-2"].lost_claims == len(ids)
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == sorted(f"witness-{i}@example.test" for i in range(12))
    rows = db.session.execute(sa.select(Notification.status, Notification.attempts)).all()
    assert set(rows) == {("sent", 1)}


def test_a_notice_is_claimed_once(app, officer, make_witness):
    [notice_id] = _queue_emails(officer, make_witness, 1)
    outcomes: list[bool] = []

    def other_server() -> None:
        with app.app_context():
            outcomes.append(sweep.claim(notice_id, "app-2"))

    assert sweep.claim(notice_id, "app-1") is True
    thread = threading.Thread(target=other_server)
    thread.start()
    thread.join()
    assert outcomes == [False]
    claimed = db.session.get(Notification, notice_id)
    db.session.refresh(claimed)
    assert claimed.claimed_by == "app-1" and claimed.status == "sending"


def test_concurrent_queueing_of_the_same_key_keeps_one_row(app, officer, make_witness):
    witness_id = make_witness().id  # read here: the threads must not touch this session's objects
    ids: list[int] = []
    start = threading.Barrier(2, timeout=30)

    def request() -> None:
        with app.app_context():
            start.wait()
            notice = notify_ops.queue_notice(witness_id, "escaped", context={}, triggered_at=utc_now(),
                                             dedup_key="same-event")
            db.session.commit()
            ids.append(notice.id)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 2 and ids[0] == ids[1]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar() == 1

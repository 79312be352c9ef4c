"""Two app processes on one PostgreSQL database (the multi-host deployment of docs/deploy.md):
the notification sweep from cron on every host sends nothing twice, and concurrent ledger appends
from two processes keep one unbroken hash chain.

Real subprocesses, not threads: each has its own interpreter, engine and connections, as two hosts
would. PostgreSQL only (SQLite is one host by nature); CI runs the suite on PostgreSQL too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.ledger import operations as ledger_ops
from witness_support.ledger.models import BenefitEntry
from witness_support.notifications import operations as notify_ops
from witness_support.notifications.models import Notification

# Two hosts share a PostgreSQL server, never a SQLite file; each host process reads what the test
# committed.
pytestmark = [pytest.mark.postgresql_only, pytest.mark.real_commits]
ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


def _environment(app) -> dict[str, str]:  # noqa: ANN001 - Flask app
    """What every host is given: the same database, secret key and key material (docs/deploy.md)."""
    config = app.config
    env = dict(os.environ, FLASK_APP="witness_support", DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=config["SECRET_KEY"], IDENTITY_KEYS=config["IDENTITY_KEYS"],
               IDENTITY_INDEX_KEY=config["IDENTITY_INDEX_KEY"], LEDGER_HMAC_KEY="shared-ledger-key-for-tests")
    env.pop("DEMO_MODE", None)
    return env


def _run_together(commands: list[list[str]], env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for c in commands
    ]
    results = []
    for process, command in zip(processes, commands, strict=True):
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def test_two_hosts_sweeping_at_once_queue_and_hand_over_each_notice_once(app, officer, make_witness):
    for index in range(40):
        witness = make_witness()
        notify_ops.queue_notice(witness.id, "hearing_set", context={"new_start": "2027-05-01 09:00"},
                                triggered_at=utc_now(), dedup_key=f"two-hosts-{index}")
    db.session.commit()
    env = _environment(app)
    for _ in range(2):  # cron fires on both hosts, twice
        results = _run_together([[FLASK, "notifications", "send-due"]] * 2, env)
        assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    db.session.expire_all()
    notices = db.session.execute(sa.select(Notification.status, Notification.attempts)).all()
    assert len(notices) == 40
    assert all(status != "pending" and attempts == 1 for status, attempts in notices), notices
    # Each notice was handed over once: one task per notice, never two.
    dupes = db.session.execute(sa.text(
        "SELECT dedup_key, count(*) FROM tasks GROUP BY dedup_key HAVING count(*) > 1")).all()
    assert dupes == []


def test_two_hosts_appending_to_the_ledger_keep_one_chain(app, officer, make_witness):
    witness = make_witness()
    db.session.commit()
    env = _environment(app)
    worker = str(ROOT / "tests" / "scale" / "ledger_worker.py")
    command = [sys.executable, worker, str(officer.id), str(witness.id), "25"]
    results = _run_together([command, command], env)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    db.session.expire_all()
    rows = db.session.execute(sa.select(BenefitEntry.id, BenefitEntry.prev_hash, BenefitEntry.hash)
                              .order_by(BenefitEntry.id)).all()
    assert [r.id for r in rows] == list(range(1, 51))  # no gap, no sequence taken twice
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))  # no fork
    assert len({r.prev_hash for r in rows}) == 50  # no two entries claim the same predecessor
    run = ledger_ops.verify_ledger(trigger="test")
    assert run.ok, run.message
    descriptions = db.session.execute(sa.select(BenefitEntry.description)).scalars().all()
    assert len({d.split()[-1].split("-")[0] for d in descriptions}) == 2  # both processes appended

"""`flask notifications worker`: the send-due sweep on a loop, for a demo or a host without cron;
one pass with --once, and a clean stop on SIGTERM or SIGINT."""

from __future__ import annotations

import os
import signal
import threading

import pytest
import sqlalchemy as sa

from witness_support.db import today_utc
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications.models import Notification
from witness_support.outcomes import operations as outcome_ops


def _queue_verdict_notices(officer, trial_case) -> object:  # noqa: ANN001
    setup = trial_case()
    notify_ops.set_preferences(officer, setup.witness, language="en", channel="email",
                               email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted", sentenced_on=today_utc())
    db.session.commit()
    return setup


def test_worker_once_runs_one_pass_and_sends_what_is_due(app, officer, trial_case, smtp_server):
    setup = _queue_verdict_notices(officer, trial_case)
    result = app.test_cli_runner().invoke(args=["notifications", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1," in result.output and result.output.rstrip().endswith("notifications worker stopped")
    assert [m["To"] for m in smtp_server.messages] == ["safe@example.test"]
    statuses = db.session.execute(
        sa.select(Notification.status).where(Notification.witness_id == setup.witness.id)).scalars().all()
    assert statuses == ["sent"]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_cleanly_on_a_signal_between_passes(app, stop_signal):
    before = signal.getsignal(stop_signal)
    # An hour between passes: the test only ends because the signal ends the wait.
    timer = threading.Timer(0.5, os.kill, (os.getpid(), stop_signal))
    timer.start()
    try:
        result = app.test_cli_runner().invoke(args=["notifications", "worker", "--interval", "3600"])
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert result.output.count("sent 0,") == 1 and "notifications worker stopped" in result.output
    assert signal.getsignal(stop_signal) is before  # the handlers are given back afterwards


def test_worker_refuses_an_interval_below_one_second(app):
    result = app.test_cli_runner().invoke(args=["notifications", "worker", "--interval", "0"])
    assert result.exit_code == 2 and "--interval" in result.output


def test_the_start_up_banner_keeps_its_lines_while_request_lines_stay_escaped(app, caplog):
    from werkzeug._internal import _log  # werkzeug's own logging call, as `flask run` makes it

    with caplog.at_level("INFO", logger="werkzeug"):
        _log("info", "WARNING: This is a development server.\n * Running on http://127.0.0.1:5000")
        _log("info", '%s - - [%s] "%s" %s', "127.0.0.1", "now", "GET /x\nforged line HTTP/1.1", "404")
    banner, request_line = (record.getMessage() for record in caplog.records[-2:])
    assert " * Running on http://127.0.0.1:5000" in banner.splitlines()
    assert "\n" not in request_line and "\\nforged line" in request_line

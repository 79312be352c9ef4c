"""Every benchmark in one command, against a freshly seeded database. From the repository's root:

    python bench/run.py --witnesses 100000 --db sqlite
    python bench/run.py --witnesses 100000 --db postgresql   # database bench_scale on 127.0.0.1 (--pg-database)
    python bench/run.py --reuse sqlite:///bench.sqlite3 --only pages feeds  # some parts, seeded database
    python bench/run.py --witnesses 5000 --only search handover  # finding a witness by name; a handover

Seeds a new database (`flask db upgrade` then `flask seed-demo --witnesses N`, timed), then measures
each operation against its floor in the same run, interleaved A B A B, and reports medians and
ratios (docs/performance.md says how): pages through the whole WSGI request in process (ours:
the real endpoint; floor: the same rows in one raw-driver statement, same template), the sweep,
the ledger, login; then throughput with gunicorn (2 workers, 127.0.0.1) under wrk, 10 s per
endpoint, against a hello-world endpoint, an in-memory 50-row table page of the same app and, for
the readiness dashboard, its own page 1 rendered from memory (the same-sized floor), and the
workers' peak memory. Writes bench/results/<db>-<N>.json and .md (the table).

Needs the `bench` extra (gunicorn) and wrk (Debian: `apt-get install wrk`); without wrk the
throughput part is skipped, and the report says so.
"""

# ruff: noqa: S603, S607, S608
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
FLASK = str(Path(PY).with_name("flask"))
GUNICORN = str(Path(PY).with_name("gunicorn"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
OFFICER = "officer@demo.invalid"
CASELOAD_OFFICER = "officer-01@demo.invalid"  # of the bulk demo: 15 cases, 60 witnesses
PASSWORD = "demo-only-password-2026"  # noqa: S105 - the invented demo account's published password


# ---- set-up -------------------------------------------------------------------------------------


def fresh_database(kind: str, witnesses: int, pg_database: str = "bench_scale") -> str:
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"bench_scale_{witnesses}.sqlite3"  # a scratch file, recreated each run
        for suffix in ("", "-wal", "-shm", ".demo"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{pg_database}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="witness_support")
    env.pop("DEMO_MODE", None)
    return env


def seed(url: str, witnesses: int) -> float:
    env = env_for(url)
    subprocess.run([FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([FLASK, "seed-demo", "--witnesses", str(witnesses)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def make_app(url: str) -> Any:
    os.environ.update(env_for(url))
    from bench.floor import register
    from witness_support import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    register(app)
    return app


def sign_in(client: Any, app: Any, email: str = OFFICER) -> None:
    """The officer signs in with password and a real TOTP code (enrolling on the first sign-in)."""
    import pyotp
    import sqlalchemy as sa

    from witness_support.auth.models import User
    from witness_support.extensions import db

    response = client.post("/login", data={"email": email, "password": PASSWORD})
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        user.totp_last_step = None
        db.session.commit()
        code = pyotp.TOTP(user.totp_secret).now()
    step = "/mfa/enrol" if response.headers["Location"].endswith("/mfa/enrol") else "/login/code"
    response = client.post(step, data={"code": code})
    assert response.status_code in (200, 302), response.status_code


# ---- measuring ----------------------------------------------------------------------------------


# The keyset cursor of page 1,000 of the list, newest first (or the middle page of a smaller caseload).
DEEP_PAGE_SQL = ("SELECT id FROM witnesses ORDER BY id DESC LIMIT 1"
                 " OFFSET (SELECT CASE WHEN count(*) / 2 < 49949 THEN count(*) / 2 ELSE 49949 END FROM witnesses)")


def interleaved(ours: Callable[[], Any], floor: Callable[[], Any], rounds: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        ours()
        floor()
    a, b = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        floor()
        t2 = time.perf_counter()
        a.append(t1 - t0)
        b.append(t2 - t1)
    return statistics.median(a), statistics.median(b)


def get(client: Any, url: str) -> Callable[[], None]:
    def call() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return call


def page_benchmarks(app: Any, rounds: int) -> tuple[list[dict], dict]:
    import sqlalchemy as sa

    from witness_support.extensions import db

    client = app.test_client()
    sign_in(client, app)
    with app.app_context():
        # Page 1,000 of the list, newest first: the keyset cursor is the id just before it.
        after = db.session.execute(
            sa.text(DEEP_PAGE_SQL)
        ).scalar()
    rows, extra = [], {"page_1000_after": after}
    pairs = [
        ("witness list, page 1", "/witnesses/", "/_bench/witnesses", "raw driver, same template", 1.5),
        ("witness list, page 1,000 (keyset)", f"/witnesses/?after={after}", f"/_bench/witnesses?after={after}",
         "raw driver, same template", 1.5),
        ("upcoming, by next court date", "/witnesses/?sort=next_court", "/_bench/witnesses?sort=next_court",
         "raw driver, same template", None),
        ("readiness dashboard, page 1", "/court/readiness", "/_bench/readiness", "raw driver, same template", 1.5),
    ]
    medians = {}
    for name, ours, floor, floor_name, target in pairs:
        o, f = interleaved(get(client, ours), get(client, floor), rounds)
        medians[name] = o
        rows.append(row(name, o, f, floor_name, target))
    # The home page against its one-statement floor: a liaison officer with a caseload of their own
    # (15 cases, 60 witnesses: officer-01 of the bulk demo), and the team inbox, the national demo
    # officer (every case; aftercare of every witness no active officer holds).
    caseload = app.test_client()
    try:
        sign_in(caseload, app, CASELOAD_OFFICER)
    except Exception:  # noqa: BLE001 - a database seeded before the bulk demo had such officers
        caseload = None
        print(f"no {CASELOAD_OFFICER} in this database (seeded before the bulk demo had officers with a caseload)")
    homes = [("home page, officer with 60 witnesses", caseload),
             ("home page, team inbox (national caseload)", client)]
    for name, who in homes:
        if who is not None:
            o, f = interleaved(get(who, "/"), get(who, "/_bench/home"), rounds)
            medians[name] = o
            rows.append(row(name, o, f, "raw driver, same template", 1.5))
    # Page 1,000 and the sorted list against page 1, interleaved too.
    o, f = interleaved(get(client, f"/witnesses/?after={after}"), get(client, "/witnesses/"), rounds)
    rows.append(row("page 1,000 vs page 1", o, f, "page 1 (ours)", 1.5))
    o, f = interleaved(get(client, "/witnesses/?sort=next_court"), get(client, "/witnesses/"), rounds)
    rows.append(row("upcoming by next court date vs page 1", o, f, "page 1 (ours)", 1.5))
    return rows, extra


def row(name: str, ours: float, floor: float, floor_name: str, target: float | None) -> dict:
    ratio = ours / floor if floor else float("inf")
    return {"operation": name, "ours_ms": round(ours * 1000, 3), "floor": floor_name,
            "floor_ms": round(floor * 1000, 3), "ratio": round(ratio, 2), "target": target,
            "met": None if target is None else ratio <= target}


def raw_connection(app: Any) -> Any:
    from witness_support.extensions import db

    return db.engine.raw_connection()


def sweep_benchmarks(app: Any, rounds: int) -> list[dict]:
    """Finding the release reminders due, and queuing their notices, against the raw driver."""
    import sqlalchemy as sa

    from witness_support.db import today_utc
    from witness_support.extensions import db
    from witness_support.notifications import sweep

    rows = []
    with app.app_context():
        today = today_utc()
        days = app.config["RELEASE_REMINDER_DAYS"]
        query = sweep.due_release_reminders_query(today, days)
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        raw_sql = str(compiled)

        def ours() -> None:
            sweep.due_release_reminders(today)

        def floor() -> None:
            connection = raw_connection(app)
            try:
                cursor = connection.cursor()
                cursor.execute(raw_sql)
                cursor.fetchall()
            finally:
                connection.close()

        o, f = interleaved(ours, floor, rounds)
        rows.append(row("sweep: find release reminders due", o, f, "same SQL, raw driver", 2.0))

        # Queuing: the sweep's own raise_release_reminders (it commits) against one raw INSERT ... SELECT
        # of the same notices; each round is undone afterwards (rows above the ids seen before), so
        # every round finds the same reminders due. Not the audit events the sweep adds: the trail
        # is append-only (a trigger refuses DELETE), so they stay, a few hundred rows per round.
        tables = ("notifications", "release_reminders", "tasks")
        marks = {t: db.session.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar() for t in tables}
        db.session.rollback()
        due = len(db.session.execute(query).all())
        db.session.rollback()
        now = datetime.now(UTC)
        if db.engine.dialect.name == "sqlite":
            now = now.replace(tzinfo=None)  # stored as naive UTC text there, as UTCDateTime does
        insert_sql = (
            "INSERT INTO notifications (witness_id, case_id, kind, dedup_key, context, triggered_at, deadline_at,"
            " status, next_attempt_at, attempts, language_fallback, created_at)"
            " SELECT j.witness_id, o.case_id, 'release_upcoming', 'raw:' || o.id || ':' || j.witness_id, '{}',"
            " %(now)s, %(now)s, 'pending', %(now)s, 0, false, %(now)s"
            " FROM outcomes o JOIN journeys j ON j.case_id = o.case_id"
            " WHERE o.proposed_release_date > %(today)s AND o.proposed_release_date <= %(until)s"
        )
        params = {"now": now, "today": today, "until": today + __import__("datetime").timedelta(days=max(days))}

        def reset() -> None:
            for t in tables:
                db.session.execute(sa.text(f"DELETE FROM {t} WHERE id > :m"), {"m": marks[t]})
            db.session.commit()

        def ours_queue() -> None:
            sweep.raise_release_reminders(today)

        def floor_queue() -> None:
            db.session.execute(sa.text(insert_sql.replace("%(now)s", ":now").replace("%(today)s", ":today")
                                       .replace("%(until)s", ":until")), params)
            db.session.commit()

        a, b = [], []
        for _ in range(max(3, rounds // 3)):
            t0 = time.perf_counter()
            ours_queue()
            t1 = time.perf_counter()
            queued_ours = db.session.execute(sa.text("SELECT count(*) FROM notifications WHERE id > :m"),
                                             {"m": marks["notifications"]}).scalar()
            reset()
            t2 = time.perf_counter()
            floor_queue()
            t3 = time.perf_counter()
            queued_floor = db.session.execute(sa.text("SELECT count(*) FROM notifications WHERE id > :m"),
                                              {"m": marks["notifications"]}).scalar()
            reset()
            a.append(t1 - t0)
            b.append(t3 - t2)
        r = row(f"sweep: queue notices ({due} reminders due, {queued_ours} notices; floor {queued_floor})",
                statistics.median(a), statistics.median(b), "INSERT … SELECT, same rows", 5.0)
        rows.append(r)

        # The sweep as cron runs it every few minutes: the reminders raised, nothing new due. Ours is
        # the sweep's own raise_release_reminders (its search over all outcomes, then its commit);
        # the floor, the same INSERT ... SELECT ... RETURNING through the raw driver, and a commit.
        # The floor runs exactly what the driver received from the sweep (SQL text and parameters).
        sent: list[tuple[str, Any]] = []

        def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO RELEASE_REMINDERS"):
                sent.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", capture)
        ours_queue()
        sa.event.remove(db.engine, "before_cursor_execute", capture)
        record_sql, record_params = sent[0]

        def ours_idle() -> None:
            assert sweep.raise_release_reminders(today) == 0

        def floor_idle() -> None:
            connection = raw_connection(app)
            try:
                cursor = connection.cursor()
                cursor.execute(record_sql, record_params)
                assert cursor.fetchall() == []
                connection.commit()
            finally:
                connection.close()

        o, f = interleaved(ours_idle, floor_idle, rounds)
        rows.append(row("sweep over all outcomes, nothing new due (as cron runs it)", o, f,
                        "same INSERT … SELECT, raw driver", 2.0))
        reset()
        db.session.remove()
        rows += custody_pass(app, today, rounds)
    return rows


def custody_pass(app: Any, today: Any, rounds: int) -> list[dict]:
    """The custody part of every sweep pass: release and hearing dates from the custody history
    (latest standing entry per defendant, defendants still held), outcome release dates reached, and
    the reminders already raised.

    The seeded database has never been swept, so the first pass raises the reminders due (notices,
    tasks; timed once, reported without a floor) and commits. Then the pass as cron runs it every
    minute, nothing new due: ours is raise_custody_reminders and the sweep's commit; the floor replays
    through the raw driver every statement (SQL text and parameters) the driver received during
    such a pass, and commits. Afterwards the rows the first pass added are deleted again (but for
    the append-only audit events), so a rerun on the same database measures the same."""
    import sqlalchemy as sa

    from witness_support.extensions import db
    from witness_support.notifications.custody_reminders import raise_custody_reminders

    tables = ("custody_reminders", "notifications", "tasks")
    marks = {t: db.session.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar() for t in tables}
    db.session.commit()
    now = datetime.now(UTC)
    started = time.perf_counter()
    raised = raise_custody_reminders(today, now)
    db.session.commit()
    first = time.perf_counter() - started
    added = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t} WHERE id > :m"), {"m": marks[t]}).scalar()
             for t in tables}
    db.session.commit()
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    assert raise_custody_reminders(today, now) == 0
    db.session.commit()
    sa.event.remove(db.engine, "before_cursor_execute", capture)

    def ours() -> None:
        assert raise_custody_reminders(today, now) == 0
        db.session.commit()

    def floor() -> None:
        connection = raw_connection(app)
        try:
            cursor = connection.cursor()
            for statement, parameters in sent:
                cursor.execute(statement, parameters)
                assert cursor.fetchall() == []
            connection.commit()
        finally:
            connection.close()

    o, f = interleaved(ours, floor, rounds)
    for t in tables:
        db.session.execute(sa.text(f"DELETE FROM {t} WHERE id > :m"), {"m": marks[t]})
    db.session.commit()
    db.session.remove()
    return [
        row(f"sweep: custody dates, first pass ({raised} reminders raised: {added['notifications']} notices, "
            f"{added['tasks']} tasks)", first, 0.0, "none (timed once)", None),
        row(f"sweep: custody dates, nothing new due (as cron runs it; {len(sent)} statement(s))", o, f,
            "same statements, raw driver", 2.0),
    ]


def ledger_benchmarks(app: Any, rounds: int) -> list[dict]:
    import sqlalchemy as sa

    from witness_support.auth.models import User
    from witness_support.db import today_utc
    from witness_support.extensions import db
    from witness_support.ledger import chain, operations
    from witness_support.ledger.models import GENESIS_HASH
    from witness_support.witnesses.models import Witness

    rows = []
    with app.app_context():
        officer = db.session.execute(sa.select(User).where(User.email == OFFICER)).scalar_one()
        witness = db.session.get(Witness, 1)
        officer_id = officer.id

        def ours() -> None:
            operations.record_benefit(
                db.session.get(User, officer_id), db.session.get(Witness, 1), kind="subsistence",
                description="Weekly food allowance (benchmark)", provided_on=today_utc(),
                provider="Invented Shelter Foundation",
                rationale="The witness has no income while living in the shelter.", amount="40.00", currency="USD",
            )
            db.session.commit()

        def floor() -> None:
            head = db.session.execute(sa.text("UPDATE ledger_head SET sequence = sequence + 1 WHERE id = 1"
                                              " RETURNING sequence, hash")).first()
            values = {"id": head[0], "witness_id": witness.id, "kind": "subsistence",
                      "description": "Weekly food allowance (benchmark floor)", "amount": Decimal("40.00"),
                      "currency": "USD", "provided_on": today_utc(), "provided_until": None,
                      "provider": "Invented Shelter Foundation",
                      "rationale": "The witness has no income while living in the shelter.",
                      "authorised_by_id": officer_id, "entered_by_id": officer_id,
                      "entered_at": datetime.now(UTC), "corrects_id": None, "correction_type": None,
                      "correction_reason": None}
            digest = chain.chain_hash(head[1], values)
            db.session.execute(db.metadata.tables["benefit_entries"].insert(),
                               dict(values, prev_hash=head[1], hash=digest))
            db.session.execute(sa.text("UPDATE ledger_head SET hash = :h WHERE id = 1"), {"h": digest})
            db.session.commit()

        o, f = interleaved(ours, floor, rounds)
        rows.append(row("ledger append (record_benefit + commit)", o, f, "chained INSERT, Core, no checks", None))

        entries = db.session.execute(sa.text("SELECT count(*) FROM benefit_entries")).scalar()

        def verify() -> None:
            run = operations.verify_ledger(trigger="bench")
            db.session.commit()
            assert run.ok, run.message

        columns = ", ".join(chain.CHAINED_FIELDS)

        def verify_floor() -> None:
            """Recompute the chain from the raw rows (what verify does, minus the ORM and the report)."""
            connection = raw_connection(app)
            try:
                cursor = connection.cursor()
                cursor.execute(f"SELECT {columns}, prev_hash, hash FROM benefit_entries ORDER BY id")
                prev = GENESIS_HASH
                for values in cursor:
                    row = dict(zip(chain.CHAINED_FIELDS, values, strict=False))
                    if row["entered_at"].__class__ is str:
                        row["entered_at"] = datetime.fromisoformat(row["entered_at"])
                    assert values[-2] == prev
                    prev = chain.chain_hash(prev, row)
                    assert prev == values[-1]
            finally:
                connection.close()

        o, f = interleaved(verify, verify_floor, 1, warmup=0)
        rows.append(row(f"ledger verify ({entries:,} entries)", o, f, "recompute the chain, raw driver", None))
        db.session.remove()
    return rows


def login_benchmark(app: Any, rounds: int) -> list[dict]:
    """The password step of sign-in (it answers with the MFA step); floor: argon2 verify alone."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from witness_support.auth.models import User
    from witness_support.extensions import db

    client = app.test_client()
    with app.app_context():
        stored = db.session.execute(sa.select(User.password_hash).where(User.email == OFFICER)).scalar_one()
    hasher = PasswordHasher()

    def ours() -> None:
        response = client.post("/login", data={"email": OFFICER, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        client.delete_cookie("session")

    o, f = interleaved(ours, lambda: hasher.verify(stored, PASSWORD), rounds)
    return [row("login, password step (then TOTP)", o, f, "argon2 verify alone", None)]


# ---- the calendar feed --------------------------------------------------------------------------


def feed_subject(app: Any) -> dict:
    """The support person whose feed holds the most events (of the bulk demo: the one who attends
    the trial days of every 20th witness), with a feed token issued now (rotated if they had one)."""
    import sqlalchemy as sa

    from witness_support.auth.models import User
    from witness_support.extensions import db
    from witness_support.feeds import operations as feed_ops

    with app.app_context():
        people = db.session.execute(sa.select(User).where(User.role == "support_person", User.active)).scalars()
        counts = {user.id: len(feed_ops.feed_fingerprint(user)) for user in people}
        user_id = max(counts, key=lambda uid: (counts[uid], -uid))
        user = db.session.get(User, user_id)
        token = feed_ops.issue_feed_token(user, user)
        db.session.commit()
        subject = {"user_id": user_id, "token": token, "events": len(feed_ops.feed_members(user)),
                   "candidates": counts}
        db.session.remove()
    return subject


def feed_benchmarks(app: Any, rounds: int, subject: dict) -> tuple[list[dict], dict]:
    """Building the feed in process against the same ICS text in plain strings (bench/feeds.py's
    writer, checked byte-identical first): cold (icalendar for every event), and one event changed
    (its revision bumped as court/operations.py does, then the poll's query and build); then the
    unchanged feed's 304 as a capacity figure (poll_capacity)."""
    from types import SimpleNamespace

    from bench.feeds import HOST, first_difference, plain_calendar
    from witness_support.auth.models import User
    from witness_support.court import operations as court_ops
    from witness_support.court.models import CourtEvent
    from witness_support.extensions import db
    from witness_support.feeds import ical
    from witness_support.feeds import operations as feed_ops

    rows = []
    n = subject["events"]
    with app.app_context():
        user = db.session.get(User, subject["user_id"])
        members = feed_ops.feed_members(user)
        loaded = ical._load_events([m.event_id for m in members])
        # Plain copies, so that no round reloads an expired ORM object behind the floor's back.
        columns = ("id", "kind", "status", "court_name", "room", "interpreter_language", "remote_link", "starts_at",
                   "ends_at", "updated_at", "revision")
        events = {i: SimpleNamespace(**{c: getattr(e, c) for c in columns}) for i, e in loaded.items()}

        def preloaded(ids: list[int]) -> dict[int, Any]:
            return {i: loaded[i] for i in ids}

        def vtimezones() -> str:
            years = ical.zone_years((m.timezone, t.year) for m in members for t in (m.starts_at, m.ends_at))
            return "".join(ical.cached_vtimezone(zone, *years[zone]) for zone in sorted(years))

        def floor() -> None:
            plain_calendar(members, events, vtimezones())

        ical.clear_caches()
        reference = ical.render_calendar(members, HOST, loader=preloaded)
        written = plain_calendar(members, events, vtimezones())
        assert written == reference, "the floor must write the very same bytes: " + first_difference(written, reference)

        def cold() -> None:
            ical.clear_caches()
            ical.render_calendar(members, HOST, loader=preloaded)

        o, f = interleaved(cold, floor, max(3, rounds // 7), warmup=0)
        rows.append(row(f"feed: cold build ({n:,} events, icalendar)", o, f, "same ICS text, plain strings", None))

        ical.render_calendar(members, HOST)  # warm: every event of this revision in the cache
        counter = [0]

        def one_changed() -> None:
            # Not timed: one event of the feed changes, as move/update/cancel change it.
            counter[0] += 1
            event = db.session.get(CourtEvent, members[(counter[0] * 7919) % len(members)].event_id)
            court_ops._bump(event)
            db.session.commit()
            started = time.perf_counter()
            ical.render_calendar(feed_ops.feed_members(user), HOST)
            timings.append(time.perf_counter() - started)

        timings: list[float] = []
        floors: list[float] = []
        for _ in range(2):
            one_changed()
            floor()
        timings.clear()
        for _ in range(rounds):
            one_changed()
            t0 = time.perf_counter()
            floor()
            floors.append(time.perf_counter() - t0)
        rows.append(row(f"feed: one event changed ({n:,} events; query + build)", statistics.median(timings),
                        statistics.median(floors), "same ICS text, plain strings", 3.0))
        db.session.remove()

    return rows, poll_capacity(app, subject)


# Subscribers whose calendar apps poll every 15 minutes: the capacity target of the feed poll.
SUBSCRIBERS, POLL_SECONDS, CAPACITY_SHARE = 10_000, 15 * 60, 0.05


def poll_capacity(app: Any, subject: dict, requests: int = 300) -> dict:
    """CPU time of one unchanged-feed poll answered 304, whole WSGI request in process (the Flask
    test client: no HTTP server's share; the throughput part adds it under gunicorn), and what
    10,000 subscribers polling every 15 minutes take of one worker at that cost. Two cases: the
    feed clock stands still (the token's row answers alone), and the clock moved since the feed
    was last confirmed (a change elsewhere: the membership is read and the row confirmed again)."""
    import sqlalchemy as sa

    from witness_support.extensions import db
    from witness_support.feeds import clock

    client = app.test_client()
    url = f"/feeds/{subject['token']}.ics"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    etag = first.headers["ETag"]

    def poll() -> None:
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304, response.status_code

    def move_clock() -> None:
        with app.app_context():
            clock.bump()
            db.session.commit()
            db.session.remove()

    def cpu_per_poll(before_each: Callable[[], None] | None, n: int) -> tuple[float, float]:
        cpu = wall = 0.0
        for _ in range(n):
            if before_each:
                before_each()
            c0, w0 = time.process_time(), time.perf_counter()
            poll()
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
        return cpu / n, wall / n

    for _ in range(20):
        poll()
    rate = SUBSCRIBERS / POLL_SECONDS
    result: dict[str, Any] = {"subscribers": SUBSCRIBERS, "poll_seconds": POLL_SECONDS,
                              "requests_per_second": round(rate, 2), "target_share": CAPACITY_SHARE}
    with app.app_context():
        result["feed_events"] = subject["events"]
        result["clock_version"] = db.session.execute(sa.select(clock.version_subquery())).scalar()
        db.session.remove()
    for name, before_each, n in (("clock still", None, requests), ("clock moved", move_clock, max(30, requests // 10))):
        cpus, walls = zip(*(cpu_per_poll(before_each, n // 3) for _ in range(3)), strict=True)
        cpu, wall = statistics.median(cpus), statistics.median(walls)
        result[name] = {"cpu_ms": round(cpu * 1000, 3), "wall_ms": round(wall * 1000, 3),
                        "share_of_one_worker": round(rate * cpu, 4), "met": rate * cpu < CAPACITY_SHARE}
    print({"feed poll capacity": result}, flush=True)
    return result


# ---- throughput ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_sign_in(base: str, app: Any) -> str:
    """Sign in over HTTP against gunicorn; returns the Cookie header for wrk."""
    import http.cookiejar
    import urllib.error
    import urllib.parse
    import urllib.request

    import pyotp
    import sqlalchemy as sa

    from witness_support.auth.models import User
    from witness_support.extensions import db

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # No User-Agent, as wrk sends none: the session is bound to the client's address and agent
    # (Flask-Login's strong session protection), and with urllib's agent every wrk request was
    # refused the session and measured as an anonymous redirect to /login.
    opener.addheaders = []
    data = urllib.parse.urlencode({"email": OFFICER, "password": PASSWORD}).encode()
    response = opener.open(base + "/login", data)  # noqa: S310 - our own server on 127.0.0.1
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == OFFICER)).scalar_one()
        user.totp_last_step = None
        db.session.commit()
        code = pyotp.TOTP(user.totp_secret).now()
        db.session.remove()
    step = "/mfa/enrol" if response.geturl().endswith("/mfa/enrol") else "/login/code"
    try:  # not following the redirect to the home page (not measured here, and slow at 100,000 witnesses)
        _no_redirects(jar).open(base + step, urllib.parse.urlencode({"code": code}).encode())  # noqa: S310
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.code
    # One page first, as a browser would: it puts the CSRF token (of the sign-out form) into the
    # session. With the cookie of the sign-in alone, every page wrk fetched made a new token and
    # a new signed cookie, work no real browser's requests cause.
    opener.open(base + "/_bench/table").read()  # noqa: S310
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _no_redirects(jar: Any) -> Any:
    """An opener on the same cookie jar (and, like wrk, without User-Agent) that follows no redirect."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = []
    return opener


def wrk(url: str, cookie: str, seconds: int, headers: tuple[str, ...] = ()) -> dict:
    extra = [arg for header in ((f"Cookie: {cookie}",) if cookie else ()) + headers for arg in ("-H", header)]
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *extra, url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in .*?, ([\d.]+)([KMG]?B) read", out)
    size = float(total.group(2)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[total.group(3)]
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50"),
            "p99_ms": ms("99"), "errors": int(non2xx.group(1)) if non2xx else 0,
            "bytes_per_response": round(size / max(1, int(total.group(1))))}


def feed_not_modified(base: str, token: str, seconds: int, retried: bool = False) -> dict:
    """The unchanged feed answering 304 under wrk, as a calendar app polls it: no session cookie,
    the ETag of one GET in If-None-Match. wrk counts neither 304 nor 200 as an error, so the bytes
    per response tell them apart (a 200 carries the whole calendar, megabytes here)."""
    import urllib.error
    import urllib.request

    url = f"{base}/feeds/{token}.ics"
    with urllib.request.urlopen(url) as response:  # noqa: S310 - our own server on 127.0.0.1
        etag, size = response.headers["ETag"], len(response.read())
    check = urllib.request.Request(url, headers={"If-None-Match": etag})  # noqa: S310
    try:
        urllib.request.urlopen(check)  # noqa: S310
        raise AssertionError("the unchanged feed did not answer 304")
    except urllib.error.HTTPError as answer:
        assert answer.code == 304, answer.code
    result = wrk(url, "", seconds, (f"If-None-Match: {etag}",))
    if result["bytes_per_response"] >= 2000 and not retried:
        # The feed changed by time alone during the run (an event left the window): the ETag is
        # stale and every answer became a 200. Once more with the new ETag.
        return feed_not_modified(base, token, seconds, retried=True)
    assert result["errors"] == 0 and result["bytes_per_response"] < 2000 < size, (result, size)
    return dict(result, full_feed_bytes=size)


def feed_throughput(base: str, token: str, seconds: int, workers: int = 2) -> dict:
    """The unchanged feed's 304 under wrk, and what 10,000 subscribers polling every 15 minutes take
    of one worker at that rate: each request holds a worker for at most workers ÷ (requests/s)
    seconds (an upper bound: wrk and the server share the machine's cores)."""
    result = feed_not_modified(base, token, seconds)
    worker_seconds = workers / result["rps"]
    return {"feed, unchanged: 304 (If-None-Match)": dict(
        result, worker_ms_per_request=round(worker_seconds * 1000, 3),
        share_of_one_worker=round(SUBSCRIBERS / POLL_SECONDS * worker_seconds, 4))}


DASHBOARD_TRIO = (("in-memory 50-row table (floor)", "/_bench/table"),
                  ("in-memory readiness page, same size (floor)", "/_bench/readiness-table"),
                  ("readiness dashboard, page 1", "/court/readiness"))


def dashboard_throughput(base: str, cookie: str, seconds: int, rounds: int = 3) -> dict:
    """The dashboard against its two in-memory floors (the 50-row witness table of the throughput floor,
    and the same dashboard page from memory), interleaved in `rounds` rounds of half the
    duration each; the medians, which replace the single runs of the same endpoints."""
    for _, path in DASHBOARD_TRIO:
        wrk(base + path, cookie, 1)  # warm-up: the same-size floor reads its page on first use
    runs: dict[str, list[dict]] = {name: [] for name, _ in DASHBOARD_TRIO}
    for _ in range(rounds):
        for name, path in DASHBOARD_TRIO:
            runs[name].append(wrk(base + path, cookie, max(2, seconds // 2)))
    return {name: dict(sorted(found, key=lambda r: r["rps"])[len(found) // 2], rounds=[r["rps"] for r in found])
            for name, found in runs.items()}


def throughput(url: str, app: Any, after: int, seconds: int, feed_token: str | None = None) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (Debian: apt-get install wrk)"}
    port = free_port()
    env = env_for(url)
    env["BENCH_DATABASE_URL"] = url
    server = subprocess.Popen(
        [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench.wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie = http_sign_in(base, app)
        endpoints = [("hello world (floor)", "/_bench/hello"), ("in-memory 50-row table (floor)", "/_bench/table"),
                     ("witness list, page 1", "/witnesses/"),
                     ("witness list, page 1,000", f"/witnesses/?after={after}"),
                     ("upcoming, by next court date", "/witnesses/?sort=next_court"),
                     ("readiness dashboard, page 1", "/court/readiness")]
        results = {name: wrk(base + path, cookie, seconds) for name, path in endpoints}
        results.update(dashboard_throughput(base, cookie, seconds))
        if feed_token:
            results.update(feed_throughput(base, feed_token, seconds))
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                  text=True).stdout.split()]
        peak = {}
        for pid in workers:
            status = Path(f"/proc/{pid}/status").read_text()
            peak[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
        return {"endpoints": results, "worker_peak_mb": peak}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# ---- report -------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024
    return {"nproc": os.cpu_count(), "memory_mb": mem, "cpu": cpu, "python": platform.python_version()}


def markdown(report: dict) -> str:
    lines = [f"### {report['db']}, {report['witnesses']:,} witnesses — {report['when']}", "",
             f"Machine: {report['machine']['nproc']} CPUs ({report['machine']['cpu']}), "
             f"{report['machine']['memory_mb']:,} MB memory. Seeding took {report['seed_seconds']:.0f} s.", "",
             "| operation | ours (median) | floor | floor (median) | ratio | target | met |",
             "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for r in report["rows"]:
        target = f"≤ {r['target']}×" if r["target"] else "—"
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['operation']} | {r['ours_ms']:.2f} ms | {r['floor']} | {r['floor_ms']:.2f} ms | "
                     f"{r['ratio']:.2f}× | {target} | {met} |")
    capacity = report.get("poll_capacity")
    if capacity:
        lines += ["", f"Feed poll capacity, in process ({capacity['feed_events']:,} events in the feed; "
                  f"{capacity['subscribers']:,} subscribers every {capacity['poll_seconds'] // 60} minutes = "
                  f"{capacity['requests_per_second']} requests/s; "
                  f"target < {capacity['target_share']:.0%} of one worker):", "",
                  "| unchanged feed, 304 | CPU per poll | wall per poll | share of one worker | met |",
                  "| --- | ---: | ---: | ---: | --- |"]
        for case in ("clock still", "clock moved"):
            c = capacity[case]
            lines.append(f"| {case} | {c['cpu_ms']:.2f} ms | {c['wall_ms']:.2f} ms | {c['share_of_one_worker']:.2%} | "
                         f"{'yes' if c['met'] else '**no**'} |")
    tp = report["throughput"]
    lines.append("")
    if "skipped" in tp:
        lines.append(f"Throughput skipped: {tp['skipped']}.")
    else:
        eps = tp["endpoints"]
        hello, table = eps["hello world (floor)"]["rps"], eps["in-memory 50-row table (floor)"]["rps"]
        lines += ["Throughput: gunicorn, 2 sync workers, wrk -t2 -c16, 10 s per endpoint.", "",
                  "| endpoint | req/s | p50 | p99 | ÷ hello world | ÷ in-memory table | non-2xx | bytes/response |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, r in eps.items():
            lines.append(f"| {name} | {r['rps']:,.0f} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | "
                         f"{r['rps'] / hello:.2f} | {r['rps'] / table:.2f} | {r['errors']} | "
                         f"{r.get('bytes_per_response', '—')} |")
        dashboard = eps.get("readiness dashboard, page 1")
        same_size = eps.get("in-memory readiness page, same size (floor)")
        if dashboard and same_size:
            # The floor for a page under wrk is "a Flask endpoint rendering a same-sized table from
            # memory": the dashboard's own page 1, rendered from memory. The 50-row witness table is
            # a page 6 times smaller (15 KB against 98 KB); its ratio is reported beside it.
            met = "met" if dashboard["rps"] / same_size["rps"] >= 0.5 else "**not met**"

            def listed(result: dict) -> str:
                return ", ".join(f"{x:,.0f}" for x in result.get("rounds", []))

            small = eps["in-memory 50-row table (floor)"]
            times = same_size.get("bytes_per_response", 0) / max(1, small.get("bytes_per_response", 1))
            lines += ["", f"Readiness dashboard under wrk: {dashboard['rps']:,.0f} req/s = "
                      f"{dashboard['rps'] / same_size['rps']:.2f} of the same page rendered from memory, the "
                      f"same-sized in-memory floor ({same_size['rps']:,.0f} req/s; target ≥ 0.5: {met}), and "
                      f"{dashboard['rps'] / table:.2f} of the in-memory 50-row witness table, a page "
                      f"{times:.1f} times smaller. Medians of three interleaved rounds (dashboard "
                      f"{listed(dashboard)}; same-size page {listed(same_size)}; "
                      f"50-row table {listed(eps['in-memory 50-row table (floor)'])})."]
        feed = eps.get("feed, unchanged: 304 (If-None-Match)")
        if feed:
            met = "met" if feed["share_of_one_worker"] < CAPACITY_SHARE else "**not met**"
            lines += ["", f"Unchanged feed (304) under wrk: {feed['rps']:,.0f} req/s, so at most "
                      f"{feed['worker_ms_per_request']:.2f} ms of a worker per poll; {SUBSCRIBERS:,} subscribers "
                      f"polling every {POLL_SECONDS // 60} minutes take {feed['share_of_one_worker']:.2%} of one "
                      f"worker (target < {CAPACITY_SHARE:.0%}: {met})."]
        peak = max(tp["worker_peak_mb"].values()) if tp["worker_peak_mb"] else 0
        lines += ["", f"Peak worker memory (VmHWM): {peak:.0f} MB (target < 200 MB)."]
    return "\n".join(lines) + "\n"


PARTS = ("pages", "sweep", "ledger", "login", "feeds", "search", "handover", "throughput")


def page_1000_cursor(app: Any) -> int:
    """The keyset cursor of page 1,000 of the list, newest first (as page_benchmarks finds it)."""
    import sqlalchemy as sa

    from witness_support.extensions import db

    with app.app_context():
        after = db.session.execute(sa.text(DEEP_PAGE_SQL)).scalar()
        db.session.remove()
    return after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--witnesses", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-database", default="bench_scale",
                        help="with --db postgresql: the database to drop, create and seed on 127.0.0.1")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per endpoint")
    parser.add_argument("--reuse", metavar="URL", help="skip seeding; measure this already seeded database")
    parser.add_argument("--only", metavar="PART", nargs="+", choices=PARTS,
                        help=f"measure only these parts ({', '.join(PARTS)}); e.g. --reuse URL --only sweep")
    parser.add_argument("--throughput-only", action="store_true",
                        help="only the gunicorn + wrk part (e.g. again on a quiet machine); same as --only throughput")
    args = parser.parse_args()
    parts = set(args.only or PARTS) if not args.throughput_only else {"throughput"}
    if "throughput" in parts and shutil.which("wrk") is None:
        print("wrk not found: install it with `apt-get install wrk` (Debian); throughput will be skipped.")
    if args.reuse:
        url, seconds = args.reuse, 0.0
    else:
        url = fresh_database(args.db, args.witnesses, args.pg_database)
        print(f"seeding {args.witnesses:,} witnesses into {url} ...", flush=True)
        seconds = seed(url, args.witnesses)
        print(f"seeded in {seconds:.0f} s", flush=True)
    app = make_app(url)
    rows: list[dict] = []
    extra: dict = {}
    if "pages" in parts:
        rows, extra = page_benchmarks(app, args.rounds)
        for r in rows:
            print(r, flush=True)
    for name, part in (("sweep", sweep_benchmarks), ("ledger", ledger_benchmarks), ("login", login_benchmark)):
        if name in parts:
            found = part(app, args.rounds if part is not login_benchmark else 7)
            for r in found:
                print(r, flush=True)
            rows += found
    if "search" in parts:
        from bench.search import search_benchmarks

        found = search_benchmarks(app, args.rounds, interleaved, row, sign_in)
        for r in found:
            print(r, flush=True)
        rows += found
    if "handover" in parts:
        from bench.search import handover_benchmark

        found = handover_benchmark(app, min(args.rounds, 7), row)
        for r in found:
            print(r, flush=True)
        rows += found
    subject = feed_subject(app) if parts & {"feeds", "throughput"} else None  # the token stays out of the report
    capacity = None
    if "feeds" in parts:
        found, capacity = feed_benchmarks(app, args.rounds, subject)
        for r in found:
            print(r, flush=True)
        rows += found
    tp: dict = {"skipped": "not asked for (--only)"}
    if "throughput" in parts:
        after = extra.get("page_1000_after") or page_1000_cursor(app)
        tp = throughput(url, app, after, args.seconds, subject["token"])
    report = {"db": args.db, "witnesses": args.witnesses, "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": machine(), "seed_seconds": seconds, "rows": rows, **extra,
              "feed_events": subject["events"] if subject else None, "poll_capacity": capacity,
              "throughput": tp}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    suffix = "" if parts == set(PARTS) else "-" + "-".join(p for p in PARTS if p in parts)
    (out / f"{args.db}-{args.witnesses}{suffix}.json").write_text(json.dumps(report, indent=2, default=str))
    table = markdown(report)
    (out / f"{args.db}-{args.witnesses}{suffix}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()

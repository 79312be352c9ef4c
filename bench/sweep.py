"""Benchmark: how fast the sweep finds the release reminders due among 100,000 witnesses.

Seeds a temporary SQLite file (schema from the models, rows bulk-loaded through the raw sqlite3
driver), then times the sweep's own "find what is due" query (through SQLAlchemy, as the sweep
runs it) against the same SQL run through the raw sqlite3 driver, interleaved A B A B, and
prints the medians and their ratio, and SQLite's query plan.

    python bench/sweep.py [--witnesses 100000] [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from witness_support import create_app  # noqa: E402
from witness_support.extensions import db  # noqa: E402
from witness_support.notifications.sweep import due_release_reminders_query  # noqa: E402

REMINDER_DAYS = [30, 7]


def _filler(column: object, today: date, now: str) -> object:
    kind = type(column.type).__name__.lower()  # type: ignore[attr-defined]
    if "date" in kind and "time" not in kind:
        return today.isoformat()
    if "time" in kind or kind == "utcdatetime":
        return now
    if "int" in kind or "bool" in kind:
        return 0
    if "json" in kind:
        return "{}"
    return ""


def _bulk(connection: sqlite3.Connection, table: str, rows: list[dict], today: date, now: str) -> None:
    """Insert rows, filling every other NOT NULL column with a neutral value of its type."""
    columns = db.metadata.tables[table].columns
    names = [c.name for c in columns if c.name in rows[0] or (not c.nullable and not c.primary_key)]
    fill = {c.name: _filler(c, today, now) for c in columns if c.name in names and c.name not in rows[0]}
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
    connection.executemany(sql, ([row.get(n, fill.get(n)) for n in names] for row in rows))


def seed(path: str, witnesses: int, today: date) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rng = random.Random(2026)
    connection = sqlite3.connect(path)
    user = {"id": 1, "email": "bench@example.test", "display_name": "Bench", "role": "liaison_officer",
            "password_hash": "x", "active": 1, "session_version": 1}
    _bulk(connection, "users", [user], today, now)
    cases = max(1, witnesses // 2)
    _bulk(connection, "cases", [{"id": i, "reference": f"BENCH-{i}", "court_name": "Court",
                                 "court_timezone": "Asia/Jakarta", "offence_type": "TIP"} for i in range(1, cases + 1)],
          today, now)
    _bulk(connection, "defendants", [{"id": i, "case_id": (i - 1) % cases + 1, "name": f"Defendant {i}",
                                      "custody_status": "sentenced"} for i in range(1, witnesses + 1)], today, now)
    _bulk(connection, "witnesses", [{"id": i, "reference": f"W-2026-{i:06d}", "legal_name": f"Invented {i}",
                                     "preferred_language": "id"} for i in range(1, witnesses + 1)], today, now)
    _bulk(connection, "journeys", [{"id": i, "witness_id": i, "case_id": (i - 1) % cases + 1, "stage": "post_trial"}
                                   for i in range(1, witnesses + 1)], today, now)
    # One outcome per witness's defendant; release dates spread over ten years either side.
    outcomes = []
    for i in range(1, witnesses + 1):
        release = today + timedelta(days=rng.randint(-3650, 3650))
        outcomes.append({"id": i, "case_id": (i - 1) % cases + 1, "defendant_id": i, "verdict": "convicted",
                         "sentence_kind": "imprisonment", "sentence_months": 60,
                         "proposed_release_date": release.isoformat(), "custody": None})
    _bulk(connection, "outcomes", outcomes, today, now)
    # Half of the reminders in the window already raised, as after earlier sweeps.
    raised = [
        {"outcome_id": o["id"], "days": 30, "release_date": o["proposed_release_date"]}
        for o in outcomes
        if today < date.fromisoformat(o["proposed_release_date"]) <= today + timedelta(days=30) and o["id"] % 2
    ]
    if raised:
        _bulk(connection, "release_reminders", raised, today, now)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--witnesses", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        started = time.perf_counter()
        seed(path, args.witnesses, today)
        print(f"seeded {args.witnesses} witnesses with release dates in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            query = due_release_reminders_query(today, REMINDER_DAYS)
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            raw_sql = str(compiled)
            raw = sqlite3.connect(path)
            print("plan:")
            for row in raw.execute("EXPLAIN QUERY PLAN " + raw_sql):
                print("   ", row[-1])
            orm_times, raw_times = [], []
            found_orm = found_raw = 0
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                found_orm = len(db.session.execute(query).all())
                t1 = time.perf_counter()
                found_raw = len(raw.execute(raw_sql).fetchall())
                t2 = time.perf_counter()
                orm_times.append((t1 - t0) * 1000)
                raw_times.append((t2 - t1) * 1000)
            raw.close()
            db.session.remove()
            db.engine.dispose()
    assert found_orm == found_raw, (found_orm, found_raw)
    a, b = statistics.median(orm_times), statistics.median(raw_times)
    print(f"due reminders found: {found_orm}")
    print(f"sweep query (SQLAlchemy): median {a:.2f} ms over {args.rounds} rounds")
    print(f"same SQL (raw sqlite3):   median {b:.2f} ms")
    print(f"ratio SQLAlchemy / raw:   {a / b:.2f}")


if __name__ == "__main__":
    main()

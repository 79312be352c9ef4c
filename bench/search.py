"""The officer's-day measures of bench/run.py: finding a witness by name, and a handover.

- Name-token search for the national-caseload officer (the demo officer, on every case) against
  the floor: the same search run against an unencrypted copy of the names' folded tokens with an
  ordinary index (a table only the benchmark creates, only in a database seeded with invented
  witnesses, and drops after the measure), through the same list query, the same limit and the
  same audit record; what the floor leaves out is exactly what keeping names secret costs: the
  keyed hashes, reading the candidates' encrypted names and confirming each by decrypting it.
- Search by an officer with 30 witnesses (through the web: POST /witnesses/search) against the
  plain witness list page (GET /witnesses/) of the same officer.
- Handing over 500 witnesses with one open task each, as one transaction (handover.hand_over and
  its commit), back and forth between two officers; against the target of 2 seconds.

The accounts and assignments these need are added to the benchmark's database on first use
(invented, marked by their @bench.invalid addresses) and found again with --reuse.
"""

# ruff: noqa: S608
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

PASSWORD = "demo-only-password-2026"  # noqa: S105 - the invented demo account's published password
NATIONAL = "officer@demo.invalid"
OFFICER_30 = "officer-30@bench.invalid"
GIVER, TAKER = "handover-a@bench.invalid", "handover-b@bench.invalid"
HANDOVER_WITNESSES = 500

# The floor's unencrypted copy of the names' folded tokens, with an ordinary index.
_plain = sa.MetaData()
PLAIN_TOKENS = sa.Table(
    "bench_plain_name_tokens", _plain,
    sa.Column("witness_id", sa.Integer, nullable=False),
    sa.Column("token", sa.String(80), nullable=False),
    sa.Index("ix_bench_plain_name_tokens", "token", "witness_id"),
)


def _user(email: str, display_name: str) -> Any:
    """The invented liaison officer with this address, created on first use."""
    from witness_support.auth import operations as auth_ops
    from witness_support.auth.models import User
    from witness_support.extensions import db

    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = auth_ops.create_user(email, role="liaison_officer", password=PASSWORD, display_name=display_name,
                                    demo=True)
        db.session.commit()
    return user


def _assign(user: Any, witness_ids: list[int]) -> None:
    from witness_support.db import today_utc, utc_now
    from witness_support.extensions import db
    from witness_support.witnesses.models import AssignmentRole, WitnessAssignment

    db.session.execute(sa.insert(WitnessAssignment), [
        {"witness_id": w, "user_id": user.id, "role": AssignmentRole.LIAISON_OFFICER, "starts_on": today_utc(),
         "ends_on": None, "ended_at": None, "created_at": utc_now(), "created_by_id": user.id}
        for w in witness_ids])
    db.session.commit()


def _held(user: Any) -> list[int]:
    from witness_support.extensions import db
    from witness_support.witnesses.models import AssignmentRole, WitnessAssignment

    return list(db.session.execute(
        sa.select(WitnessAssignment.witness_id).where(
            WitnessAssignment.user_id == user.id, WitnessAssignment.role == AssignmentRole.LIAISON_OFFICER,
            WitnessAssignment.active_clause()).order_by(WitnessAssignment.witness_id)).scalars())


def _family_name(witness_id: int) -> str:
    """A word of the witness's name that many names share (the demo's names: given family given)."""
    from witness_support.extensions import db
    from witness_support.witnesses.models import Witness

    return db.session.get(Witness, witness_id).legal_name.split()[1]


def _plain_copy() -> None:
    """Fill the floor's table from the decrypted names, once per benchmark database."""
    from witness_support.crypto import name_token_keys
    from witness_support.extensions import db
    from witness_support.witnesses.models import Witness

    _plain.create_all(db.engine)
    if db.session.execute(sa.select(PLAIN_TOKENS.c.witness_id).limit(1)).first():
        return
    last = 0
    while True:
        rows = db.session.execute(sa.select(Witness).where(Witness.id > last).order_by(Witness.id).limit(2000)
                                  ).scalars().all()
        if not rows:
            break
        db.session.execute(sa.insert(PLAIN_TOKENS), [
            {"witness_id": w.id, "token": key} for w in rows for key in name_token_keys(w.legal_name)])
        last = rows[-1].id
        db.session.commit()
        db.session.expunge_all()
    db.session.commit()


def _floor_search(user: Any, text: str) -> list:
    """The same search as witnesses.views.search_witnesses by name, on the unencrypted copy."""
    from witness_support.access import identity_witness_ids
    from witness_support.crypto import name_token_keys
    from witness_support.witnesses import operations
    from witness_support.witnesses.models import Witness
    from witness_support.witnesses.views import SEARCH_LIMIT, list_witnesses

    keys = name_token_keys(text)
    matching = (
        sa.select(PLAIN_TOKENS.c.witness_id)
        .where(PLAIN_TOKENS.c.token.in_(keys),
               PLAIN_TOKENS.c.witness_id.in_(identity_witness_ids(user).scalar_subquery()))
        .group_by(PLAIN_TOKENS.c.witness_id)
        .having(sa.func.count(sa.distinct(PLAIN_TOKENS.c.token)) == len(keys))
    )
    found = list_witnesses(user, limit=SEARCH_LIMIT, identity=False,
                           conditions=[Witness.id.in_(matching.scalar_subquery())])
    operations.record_identity_search(user, len(found), via="bench")
    return found


def _national_search(national: Any, rounds: int, interleaved: Callable, row: Callable) -> dict:
    """The national officer's search by a family name against the same search in clear."""
    from witness_support.extensions import db
    from witness_support.witnesses.views import search_witnesses

    word = _family_name(db.session.execute(sa.select(sa.func.max(PLAIN_TOKENS.c.witness_id))).scalar())
    ours_found = {w.id for w in search_witnesses(national, word, None, via="bench")}
    floor_found = {w.id for w in _floor_search(national, word)}
    db.session.rollback()
    # The floor finds what the search finds (only then is it the same search).
    assert ours_found == floor_found, (len(ours_found), len(floor_found))

    def ours() -> None:
        search_witnesses(national, word, None, via="bench")
        db.session.commit()

    def floor() -> None:
        _floor_search(national, word)
        db.session.commit()

    o, f = interleaved(ours, floor, rounds)
    return row(f"name-token search, national caseload ({len(ours_found)} found)", o, f,
               "unencrypted names, ordinary index", 1.5)


def search_benchmarks(app: Any, rounds: int, interleaved: Callable, row: Callable, sign_in: Callable) -> list[dict]:
    from witness_support.auth.models import User
    from witness_support.extensions import db

    rows = []
    with app.test_request_context():
        national = db.session.execute(sa.select(User).where(User.email == NATIONAL)).scalar_one_or_none()
        if national is None or not national.is_demo:
            # The floor writes names in clear: only ever into a database of invented witnesses.
            raise SystemExit("search: run it against a database seeded by `flask seed-demo` only")
        national_id = national.id
        _plain_copy()
        national = db.session.get(User, national_id)  # the copy ends the session the user was read in
        try:
            rows.append(_national_search(national, rounds, interleaved, row))
        finally:
            db.session.rollback()
            _plain.drop_all(db.engine)  # the clear copy does not outlive the measure

    with app.app_context():
        officer = _user(OFFICER_30, "Thirty Witnesses")
        if len(_held(officer)) < 30:
            taken = set(_held(officer))
            _assign(officer, [w for w in range(1, 61) if w not in taken][: 30 - len(taken)])
        word = _family_name(_held(officer)[0])
    client = app.test_client()
    sign_in(client, app, OFFICER_30)

    def search() -> None:
        response = client.post("/witnesses/search", data={"q": word})
        assert response.status_code == 200, response.status_code

    def listing() -> None:
        response = client.get("/witnesses/")
        assert response.status_code == 200, response.status_code

    o, f = interleaved(search, listing, rounds)
    rows.append(row("name search, officer with 30 witnesses", o, f, "their witness list, page 1", 1.5))
    return rows


def handover_benchmark(app: Any, rounds: int, row: Callable) -> list[dict]:
    """500 witnesses and their 500 open tasks handed over in one transaction, back and forth."""
    from witness_support.db import utc_now
    from witness_support.extensions import db
    from witness_support.handover.operations import hand_over
    from witness_support.tasks.models import Task

    with app.app_context():
        giver, taker = _user(GIVER, "Handover Giver"), _user(TAKER, "Handover Taker")
        if not _held(giver) and not _held(taker):
            witnesses = db.session.execute(sa.text(
                "SELECT id FROM witnesses ORDER BY id DESC LIMIT :n"), {"n": HANDOVER_WITNESSES}).scalars().all()
            _assign(giver, list(witnesses))
            db.session.execute(sa.insert(Task), [
                {"assignee_id": giver.id, "witness_id": w, "kind": "manual", "title": f"Call witness {w} back",
                 "urgent": False, "created_at": utc_now(), "note": "", "created_by_id": giver.id} for w in witnesses])
            db.session.commit()
        times = []
        for _ in range(rounds):
            if not _held(giver):
                giver, taker = taker, giver
            started = time.perf_counter()
            moved = hand_over(taker, giver, [taker], reason="bench")
            db.session.commit()
            times.append(time.perf_counter() - started)
            assert moved.witness_assignments == HANDOVER_WITNESSES and moved.open_tasks >= HANDOVER_WITNESSES, moved
            giver, taker = taker, giver
        times.sort()
        median = times[len(times) // 2]
    return [row(f"handover: {HANDOVER_WITNESSES} witnesses and their {HANDOVER_WITNESSES} tasks, one transaction",
                median, 2.0, "the target, 2 s", 1.0)]

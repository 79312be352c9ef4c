"""The ledger's tamper evidence: append-only in the database and the ORM, the hash chain, its
canonical serialisation, concurrent appends, checkpoints and `flask ledger verify`."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from witness_support.extensions import db
from witness_support.ledger import chain
from witness_support.ledger import operations as ledger_ops
from witness_support.ledger.models import (
    APPEND_ONLY_TABLES,
    BenefitEntry,
    LedgerCheckpoint,
    LedgerImmutable,
    drop_trigger_ddl,
    trigger_ddl,
)


def _dialect() -> str:
    return db.engine.dialect.name


def _raw(statement: str, **params) -> None:  # noqa: ANN003 - SQL parameters
    """A statement behind the application's back (no ORM), in a savepoint of its own: a refused one
    leaves the test's transaction usable."""
    with db.session.begin_nested():
        db.session.execute(sa.text(statement), params)


@pytest.fixture
def without_triggers(app):  # noqa: ANN001, ANN201 - fixture
    """Drop the append-only triggers (an attacker with database access), and put them back after."""
    for table in APPEND_ONLY_TABLES:
        for statement in drop_trigger_ddl(_dialect(), table):
            _raw(statement)
    yield
    for table in APPEND_ONLY_TABLES:
        for statement in drop_trigger_ddl(_dialect(), table):
            _raw(statement)
        for statement in trigger_ddl(_dialect(), table):
            _raw(statement)


def test_entries_form_a_gapless_chain(make_witness, record_benefit):
    witness = make_witness()
    entries = [record_benefit(witness, amount=f"{n}.25") for n in range(1, 4)]
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert ledger_ops.current_head() == (3, entries[2].hash)


def test_hash_recomputed_from_the_database_matches(make_witness, record_benefit):
    """The canonical serialisation survives a round trip through the database (both dialects)."""
    witness = make_witness()
    entry = record_benefit(
        witness, amount="1234567890.10", currency="IDR", description="Train ticket — Surabaya → Jakarta, ผู้เสียหาย",
        provided_until=None,
    )
    stored_hash = entry.hash
    db.session.expunge_all()
    table = BenefitEntry.__table__
    row = db.session.execute(sa.select(table).where(table.c.id == entry.id)).mappings().one()
    assert chain.chain_hash(row["prev_hash"], row) == stored_hash


def test_canonical_serialisation_is_pinned():
    row = {
        "id": 7, "witness_id": 3, "kind": "travel", "description": "Bus fare ✓", "amount": Decimal("12.5"),
        "currency": "IDR", "provided_on": date(2026, 1, 2), "provided_until": None, "provider": "NGO",
        "rationale": "To attend court.", "authorised_by_id": 4, "entered_by_id": 5,
        "entered_at": datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC), "corrects_id": None,
        "correction_type": None, "correction_reason": None,
    }
    assert chain.canonical_bytes(row).decode() == (
        '{"amount":"12.50","authorised_by_id":4,"correction_reason":null,"correction_type":null,'
        '"corrects_id":null,"currency":"IDR","description":"Bus fare ✓","entered_at":"2026-01-02T03:04:05.000060Z",'
        '"entered_by_id":5,"id":7,"kind":"travel","provided_on":"2026-01-02","provided_until":null,'
        '"provider":"NGO","rationale":"To attend court.","witness_id":3}'
    )
    # A naive datetime (how SQLite returns it) is the same UTC instant.
    naive = dict(row, entered_at=datetime(2026, 1, 2, 3, 4, 5, 60), amount=12.5)
    assert chain.canonical_bytes(naive) == chain.canonical_bytes(row)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_amounts_survive_sqlites_float_path(value):
    assert chain.canonical_amount(float(value)) == str(value.quantize(Decimal("0.01")))


def test_raw_sql_update_and_delete_are_refused_by_the_database(make_witness, record_benefit):
    entry = record_benefit(make_witness())
    ledger_ops.create_checkpoint()
    db.session.commit()
    for statement in (
        "UPDATE benefit_entries SET amount = 1 WHERE id = :id",
        "DELETE FROM benefit_entries WHERE id = :id",
        "UPDATE ledger_checkpoints SET sequence = 99",
        "DELETE FROM ledger_checkpoints",
    ):
        with pytest.raises(sa.exc.DBAPIError) as caught:
            _raw(statement, id=entry.id)
        assert "append-only" in str(caught.value)
    db.session.expire_all()
    assert db.session.get(BenefitEntry, entry.id).amount == Decimal("40.00")
    assert db.session.execute(sa.select(sa.func.count()).select_from(LedgerCheckpoint)).scalar() == 1


def test_the_orm_refuses_to_change_or_delete_an_entry(make_witness, record_benefit):
    entry = record_benefit(make_witness())
    entry.amount = Decimal("1.00")
    with pytest.raises(LedgerImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(BenefitEntry, entry.id))
    with pytest.raises(LedgerImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerImmutable):
        db.session.execute(sa.update(BenefitEntry).values(description="changed"))
    with pytest.raises(LedgerImmutable):
        db.session.execute(sa.delete(BenefitEntry))
    db.session.rollback()
    assert db.session.get(BenefitEntry, entry.id).description == "Weekly food allowance"


def test_verify_passes_on_an_intact_ledger(app, make_witness, record_benefit):
    witness = make_witness()
    for _ in range(3):
        record_benefit(witness)
    ledger_ops.create_checkpoint()
    db.session.commit()
    record_benefit(witness)
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 4 entries and 1 checkpoints" in result.output
    assert ledger_ops.last_verification().ok is True


def test_verify_on_an_empty_ledger(app):
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_an_edit_behind_the_applications_back_is_caught(app, make_witness, record_benefit, without_triggers):
    witness = make_witness()
    for _ in range(4):
        record_benefit(witness)
    _raw("UPDATE benefit_entries SET amount = 4000 WHERE id = 2")
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "first broken sequence 2" in result.output
    run = ledger_ops.last_verification()
    assert (run.ok, run.first_broken_sequence) == (False, 2)


def test_a_deleted_entry_is_caught(app, make_witness, record_benefit, without_triggers):
    witness = make_witness()
    for _ in range(3):
        record_benefit(witness)
    _raw("DELETE FROM benefit_entries WHERE id = 2")
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "first broken sequence 2" in result.output


def test_a_full_rewrite_is_caught_by_a_signed_checkpoint(app, make_witness, record_benefit, without_triggers):
    """Rewriting one entry and re-hashing everything after it defeats the chain, not the checkpoint."""
    witness = make_witness()
    for _ in range(4):
        record_benefit(witness)
    ledger_ops.create_checkpoint()
    db.session.commit()
    table = BenefitEntry.__table__
    rows = [dict(r) for r in db.session.execute(sa.select(table).order_by(table.c.id)).mappings()]
    db.session.rollback()
    rows[1]["amount"] = Decimal("1.00")
    prev = rows[0]["hash"]
    with db.session.begin_nested():  # behind the application's back: plain SQL, no ORM
        connection = db.session.connection()
        for row in rows[1:]:
            digest = chain.chain_hash(prev, row)
            connection.execute(
                table.update().where(table.c.id == row["id"]).values(
                    amount=row["amount"], prev_hash=prev, hash="tmp-" + digest[:60]
                )
            )
            row["new_hash"], prev = digest, digest
        for row in rows[1:]:
            connection.execute(table.update().where(table.c.id == row["id"]).values(hash=row["new_hash"]))
        connection.execute(sa.text("UPDATE ledger_head SET hash = :h"), {"h": prev})
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "first broken sequence 4" in result.output
    assert "checkpoint" in result.output


def test_a_forged_checkpoint_signature_is_caught(app, make_witness, record_benefit, without_triggers):
    record_benefit(make_witness())
    checkpoint = ledger_ops.create_checkpoint()
    db.session.commit()
    _raw("UPDATE ledger_checkpoints SET signature = :s WHERE id = :id", s="0" * 64, id=checkpoint.id)
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "bad signature" in result.output


def test_checkpoint_key_file_is_created_private(app):
    app.config["LEDGER_HMAC_KEY"] = ""
    app.config["LEDGER_HMAC_KEY_FILE"] = os.path.join(app.instance_path, f"test-key-{os.getpid()}-{id(app)}")
    try:
        result = app.test_cli_runner().invoke(args=["ledger", "checkpoint"])
        assert result.exit_code == 0, result.output
        mode = stat.S_IMODE(os.stat(app.config["LEDGER_HMAC_KEY_FILE"]).st_mode)
        assert mode == 0o600
        checkpoint = ledger_ops.latest_checkpoint()
        assert checkpoint.sequence == 0
        assert ledger_ops.checkpoint_is_authentic(checkpoint)
        # Another key (a rotated or stolen setting) does not vouch for it.
        app.config["LEDGER_HMAC_KEY"] = "another key entirely"
        assert not ledger_ops.checkpoint_is_authentic(checkpoint)
    finally:
        os.remove(app.config["LEDGER_HMAC_KEY_FILE"])


def test_configured_key_signs_checkpoints(app, make_witness, record_benefit):
    app.config["LEDGER_HMAC_KEY"] = "configured outside the database"
    entry = record_benefit(make_witness())
    checkpoint = ledger_ops.create_checkpoint()
    db.session.commit()
    assert (checkpoint.sequence, checkpoint.head_hash) == (1, entry.hash)
    assert checkpoint.signature == chain.sign_checkpoint(
        b"configured outside the database", 1, entry.hash, checkpoint.created_at
    )


@pytest.mark.real_commits  # each thread's connection must see the others' committed entries
def test_concurrent_writers_never_fork_the_chain(app, officer, make_witness):
    """Eight threads, each with its own app context, session and connection, append at once."""
    witness_id, officer_id = make_witness().id, officer.id
    threads_count, per_thread = 8, 6
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with app.app_context():
                from witness_support.auth.models import User
                from witness_support.witnesses.models import Witness

                actor = db.session.get(User, officer_id)
                witness = db.session.get(Witness, witness_id)
                barrier.wait()
                for _ in range(per_thread):
                    ledger_ops.record_benefit(
                        actor, witness, kind="travel", description="Bus fare", amount="3.00", currency="USD",
                        provided_on=date.today(), provider="NGO",
                        rationale="Travel to the counselling appointment in town.",
                    )
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = db.session.execute(sa.select(BenefitEntry.id).order_by(BenefitEntry.id)).scalars().all()
    assert ids == list(range(1, threads_count * per_thread + 1))
    run = ledger_ops.verify_ledger()
    assert run.ok, run.message
    assert run.entries_checked == threads_count * per_thread


def test_appending_does_not_walk_the_chain(make_witness, record_benefit):
    """O(1) appends: the statements one append runs are the same with 1 or 30 entries before it."""
    witness = make_witness()
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy event signature
        statements.append(statement)

    def append_and_count() -> list[str]:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            record_benefit(witness)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return list(statements)

    record_benefit(witness)
    early = append_and_count()
    for _ in range(30):
        record_benefit(witness)
    late = append_and_count()
    assert len(late) == len(early)
    assert not any("FROM benefit_entries" in s and "LIMIT" not in s and "WHERE" not in s for s in late)


def test_demo_data_includes_a_verifiable_ledger(app):
    from witness_support.demo import seed_demo

    seed_demo(count=6, seed=7)
    assert db.session.execute(sa.select(sa.func.count()).select_from(BenefitEntry)).scalar() >= 6 * 4
    run = ledger_ops.verify_ledger()
    assert run.ok and run.checkpoints_checked == 1, run.message


def test_verify_without_the_key_still_holds_checkpoints_against_the_chain(app, make_witness, record_benefit):
    app.config["LEDGER_HMAC_KEY"] = "the key"
    record_benefit(make_witness())
    ledger_ops.create_checkpoint()
    db.session.commit()
    app.config["LEDGER_HMAC_KEY"] = ""
    app.config["LEDGER_HMAC_KEY_FILE"] = os.path.join(app.instance_path, f"absent-{os.getpid()}-{id(app)}")
    run = ledger_ops.verify_ledger()
    assert run.ok and "not checked: no HMAC key is available" in run.message
    assert not os.path.exists(app.config["LEDGER_HMAC_KEY_FILE"])  # verification never makes a key
    assert not ledger_ops.checkpoint_is_authentic(ledger_ops.latest_checkpoint())
    app.config["LEDGER_HMAC_KEY"] = "a rotated key"
    assert "signed with another key" in ledger_ops.verify_ledger().message

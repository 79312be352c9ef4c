"""Anchors outside the database: the digest log, key ids, automatic checkpoints, and
`flask ledger verify` against someone who can write to the database (drop the triggers, rewrite,
re-hash, delete or re-sign checkpoints, truncate, restore an old backup, sign with a key of their own).

Each attack is played with real SQL against the real database (SQLite here, PostgreSQL with
TEST_DATABASE_URL) and must end in exit 1 with one line naming the problem."""

from __future__ import annotations

import json
import os
import stat
from decimal import Decimal

import pytest
import sqlalchemy as sa

from witness_support.extensions import db
from witness_support.ledger import chain
from witness_support.ledger import operations as ledger_ops
from witness_support.ledger.models import (
    APPEND_ONLY_TABLES,
    BenefitEntry,
    LedgerCheckpoint,
    drop_trigger_ddl,
    trigger_ddl,
)

# The anchoring checks rewrite rows through a second connection, as an intruder would: real commits.
pytestmark = pytest.mark.real_commits

KEY = "the key kept outside the database"


def _raw(statement: str, **params) -> None:  # noqa: ANN003 - SQL parameters
    with db.engine.begin() as connection:
        connection.execute(sa.text(statement), params)


def _dialect() -> str:
    return db.engine.dialect.name


@pytest.fixture
def keyed(app):  # noqa: ANN001, ANN201 - fixture
    app.config["LEDGER_HMAC_KEY"] = KEY
    return app


@pytest.fixture
def without_triggers(app):  # noqa: ANN001, ANN201 - fixture
    """Drop the append-only triggers, as a DBA or someone with a restored backup can."""
    db.session.commit()
    for table in APPEND_ONLY_TABLES:
        for statement in drop_trigger_ddl(_dialect(), table):
            _raw(statement)
    yield
    db.session.rollback()
    for table in APPEND_ONLY_TABLES:
        for statement in drop_trigger_ddl(_dialect(), table):
            _raw(statement)
        for statement in trigger_ddl(_dialect(), table):
            _raw(statement)


def _verify(app) -> tuple[int, str]:  # noqa: ANN001 - the app
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    return result.exit_code, result.output


def _ledger(keyed, make_witness, record_benefit, entries: int = 4) -> list[BenefitEntry]:  # noqa: ANN001
    witness = make_witness()
    made = [record_benefit(witness, amount=f"{n}0.00") for n in range(1, entries + 1)]
    ledger_ops.create_checkpoint()
    db.session.commit()
    return made


def _rewrite_and_rehash(sequence: int, amount: str) -> str:
    """Change one entry and recompute every hash after it, and the head: the chain is consistent again."""
    table = BenefitEntry.__table__
    rows = [dict(r) for r in db.session.execute(sa.select(table).order_by(table.c.id)).mappings()]
    db.session.rollback()
    rows[sequence - 1]["amount"] = Decimal(amount)
    prev = rows[sequence - 2]["hash"] if sequence > 1 else "0" * 64
    with db.engine.begin() as connection:
        for row in rows[sequence - 1:]:
            digest = chain.chain_hash(prev, row)
            connection.execute(table.update().where(table.c.id == row["id"]).values(
                amount=row["amount"], prev_hash=prev, hash="tmp-" + digest[:60]))
            row["new_hash"], prev = digest, digest
        for row in rows[sequence - 1:]:
            connection.execute(table.update().where(table.c.id == row["id"]).values(hash=row["new_hash"]))
        connection.execute(sa.text("UPDATE ledger_head SET hash = :h"), {"h": prev})
    return prev


def _log_lines(app) -> list[dict]:  # noqa: ANN001 - the app
    with open(app.config["LEDGER_DIGEST_PATH"]) as handle:
        return [json.loads(line) for line in handle]


# ---- the honest ledger ---------------------------------------------------------------------------


def test_an_untouched_ledger_verifies_and_says_what_is_not_yet_anchored(keyed, make_witness, record_benefit):
    entries = _ledger(keyed, make_witness, record_benefit)
    record_benefit(entries[0].witness)
    code, output = _verify(keyed)
    assert code == 0, output
    assert "intact: 5 entries and 1 checkpoints checked" in output
    assert "1 entries not yet anchored in the digest log (1 logged checkpoints)" in output


def test_each_checkpoint_is_one_line_of_a_private_append_only_file(keyed, make_witness, record_benefit):
    entries = _ledger(keyed, make_witness, record_benefit)
    second = ledger_ops.create_checkpoint()
    db.session.commit()
    path = keyed.config["LEDGER_DIGEST_PATH"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = _log_lines(keyed)
    assert len(lines) == 2
    assert lines[1] == {
        "id": second.id, "sequence": 4, "head_hash": entries[-1].hash,
        "created_at": chain.canonical_instant(second.created_at), "key_id": chain.key_id(KEY.encode()),
        "signature": second.signature,
    }


def test_a_rolled_back_checkpoint_leaves_no_line(keyed, make_witness, record_benefit):
    record_benefit(make_witness())
    ledger_ops.create_checkpoint()
    db.session.rollback()
    assert not os.path.exists(keyed.config["LEDGER_DIGEST_PATH"])
    code, output = _verify(keyed)
    assert code == 0 and "1 entries not yet anchored: the digest log is empty or absent" in output


def test_a_checkpoint_every_n_entries(keyed, make_witness, record_benefit):
    keyed.config["LEDGER_CHECKPOINT_EVERY"] = 3
    witness = make_witness()
    for _ in range(7):
        record_benefit(witness)
    sequences = db.session.execute(sa.select(LedgerCheckpoint.sequence).order_by(LedgerCheckpoint.id)).scalars().all()
    assert sequences == [3, 6]
    assert [line["sequence"] for line in _log_lines(keyed)] == [3, 6]
    code, output = _verify(keyed)
    assert code == 0 and "1 entries not yet anchored" in output


def test_the_checkpoint_is_mailed_to_the_auditor(keyed, make_witness, record_benefit, smtp_server):
    keyed.config["LEDGER_AUDITOR_EMAIL"] = "auditor@invented.example"
    _ledger(keyed, make_witness, record_benefit, entries=2)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "auditor@invented.example"
    assert json.dumps(_log_lines(keyed)[0], sort_keys=True, separators=(",", ":")) in smtp_server.bodies()[0]


def test_a_rotated_key_listed_as_retired_still_verifies(keyed, make_witness, record_benefit):
    _ledger(keyed, make_witness, record_benefit)
    keyed.config["LEDGER_HMAC_KEY"] = "the new key after rotation"
    code, output = _verify(keyed)
    assert code == 1 and "not configured" in output
    keyed.config["LEDGER_HMAC_RETIRED_KEYS"] = f"some older key,{KEY}"
    ledger_ops.create_checkpoint()
    db.session.commit()
    code, output = _verify(keyed)
    assert code == 0, output
    assert "2 checkpoints checked" in output


# ---- the attacks ---------------------------------------------------------------------------------
# The attacker writes with a connection of their own (real SQL, committed), as someone holding the
# database's credentials would, and `ledger verify` must then see it: these tests commit for real.


@pytest.mark.real_commits
def test_rewrite_rehash_and_delete_every_checkpoint_is_caught(keyed, make_witness, record_benefit, without_triggers):
    _ledger(keyed, make_witness, record_benefit)
    _rewrite_and_rehash(2, "4000.00")
    _raw("DELETE FROM ledger_checkpoints")
    code, output = _verify(keyed)
    assert code == 1
    first = _log_lines(keyed)[0]["id"]  # the log names each checkpoint by its database id
    assert f"checkpoint {first} in the digest log is missing from the database" in output
    assert len(output.strip().splitlines()) == 1


@pytest.mark.real_commits
def test_rewriting_the_tail_after_the_last_database_checkpoint_is_caught_by_the_log(
    keyed, make_witness, record_benefit, without_triggers
):
    """A checkpoint deleted from the database still protects the entries it covered: the log holds its head."""
    entries = _ledger(keyed, make_witness, record_benefit)
    record_benefit(entries[0].witness)
    ledger_ops.create_checkpoint()
    db.session.commit()
    _rewrite_and_rehash(5, "1.00")
    _raw("DELETE FROM ledger_checkpoints WHERE sequence = 5")
    code, output = _verify(keyed)
    second = _log_lines(keyed)[1]["id"]  # the log names each checkpoint by its database id
    assert code == 1 and f"checkpoint {second} in the digest log is missing from the database" in output


@pytest.mark.real_commits
def test_a_checkpoint_resigned_with_an_unknown_key_id_is_caught(keyed, make_witness, record_benefit, without_triggers):
    _ledger(keyed, make_witness, record_benefit)
    checkpoint = ledger_ops.latest_checkpoint()
    other = b"a key nobody configured"
    _raw("UPDATE ledger_checkpoints SET key_id = :k, signature = :s WHERE id = :id", k=chain.key_id(other),
         s=chain.sign_checkpoint(other, checkpoint.sequence, checkpoint.head_hash, checkpoint.created_at),
         id=checkpoint.id)
    code, output = _verify(keyed)
    assert code == 1
    assert f"signed with another key (key id {chain.key_id(other)}) that is not configured" in output


@pytest.mark.real_commits
def test_a_checkpoint_rewritten_by_someone_holding_the_key_differs_from_the_log(
    keyed, make_witness, record_benefit, without_triggers
):
    """Even the key's holder cannot move an anchor: the log keeps the first version."""
    _ledger(keyed, make_witness, record_benefit)
    new_head = _rewrite_and_rehash(3, "9.99")
    checkpoint = ledger_ops.latest_checkpoint()
    _raw("UPDATE ledger_checkpoints SET head_hash = :h, signature = :s WHERE id = :id", h=new_head,
         s=chain.sign_checkpoint(KEY.encode(), checkpoint.sequence, new_head, checkpoint.created_at),
         id=checkpoint.id)
    code, output = _verify(keyed)
    assert code == 1 and f"checkpoint {checkpoint.id} in the database differs from the digest log" in output


@pytest.mark.real_commits
def test_a_truncated_tail_is_caught(keyed, make_witness, record_benefit, without_triggers):
    entries = _ledger(keyed, make_witness, record_benefit, entries=6)
    _raw("DELETE FROM ledger_checkpoints")
    _raw("DELETE FROM benefit_entries WHERE id > 4")
    _raw("UPDATE ledger_head SET sequence = 4, hash = :h", h=entries[3].hash)
    code, output = _verify(keyed)
    assert code == 1
    assert "the database goes back behind the digest log" in output
    assert "vouches for 6 entries but the database holds 4" in output


@pytest.mark.real_commits
def test_an_old_backup_restored_is_caught(keyed, make_witness, record_benefit, without_triggers):
    """The backup is consistent in itself (chain, head, a checkpoint properly signed); only the log
    outside the database knows that the ledger went further."""
    witness = make_witness()
    for _ in range(3):
        record_benefit(witness)
    ledger_ops.create_checkpoint()
    db.session.commit()
    backup = {
        name: [dict(r) for r in db.session.execute(sa.select(db.metadata.tables[name])).mappings()]
        for name in ("benefit_entries", "ledger_checkpoints", "ledger_head")
    }
    db.session.commit()
    assert _verify(keyed)[0] == 0
    for _ in range(3):
        record_benefit(witness)
    ledger_ops.create_checkpoint()
    db.session.commit()
    with db.engine.begin() as connection:
        for name in ("ledger_checkpoints", "ledger_head", "benefit_entries"):
            connection.execute(db.metadata.tables[name].delete())
        for name in ("benefit_entries", "ledger_checkpoints", "ledger_head"):
            connection.execute(db.metadata.tables[name].insert(), backup[name])
    code, output = _verify(keyed)
    assert code == 1
    assert "goes back behind the digest log" in output and "an old backup restored" in output


@pytest.mark.real_commits
def test_forging_with_a_new_key_is_caught(keyed, make_witness, record_benefit, without_triggers):
    """The attacker rewrites, re-hashes, deletes the checkpoints and signs a fresh one with their own key."""
    _ledger(keyed, make_witness, record_benefit)
    head = _rewrite_and_rehash(1, "0.01")
    _raw("DELETE FROM ledger_checkpoints")
    forger = b"the forger's own key"
    created = ledger_ops.utc_now()
    db.session.execute(LedgerCheckpoint.__table__.insert().values(
        sequence=4, head_hash=head, created_at=created, key_id=chain.key_id(forger),
        signature=chain.sign_checkpoint(forger, 4, head, created),
    ))
    db.session.commit()
    code, output = _verify(keyed)
    assert code == 1 and "not configured" in output


def test_a_damaged_digest_log_is_reported(keyed, make_witness, record_benefit):
    _ledger(keyed, make_witness, record_benefit)
    with open(keyed.config["LEDGER_DIGEST_PATH"], "a") as handle:
        handle.write("{not json\n")
    code, output = _verify(keyed)
    assert code == 1 and "Line 2 of the digest log" in output

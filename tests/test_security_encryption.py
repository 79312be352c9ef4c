"""Identity data at rest: encrypted in the database, searchable by a blind index, keys rotate."""

from __future__ import annotations

import glob
import os
import stat
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from tests.helpers import POSTGRES_URL, base_config
from witness_support import MIGRATIONS_DIR, create_app, crypto
from witness_support.audit import AuditEvent
from witness_support.extensions import db
from witness_support.notifications import operations as notice_ops
from witness_support.witnesses import operations as witness_ops
from witness_support.witnesses.models import Witness

CANARY_NAME = "Quillon Canarywhistle"
CANARY_ADDRESS = "99 Canary Lane, Invented Town"
CANARY_PHONE = "+00 5550 CANARY"
CANARY_EMAIL = "canary.contact@example.test"
CANARIES = (CANARY_NAME, CANARY_ADDRESS, CANARY_PHONE, CANARY_EMAIL)


def raw_rows(table: str, columns: str) -> list[tuple]:
    """Values as the database holds them, bypassing the model types."""
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(f"SELECT {columns} FROM {table}"))]  # noqa: S608


@pytest.fixture
def canary_witness(make_witness, officer):
    witness = make_witness(
        legal_name=CANARY_NAME, address=CANARY_ADDRESS, contact_details=CANARY_PHONE,
        date_of_birth=date(2012, 5, 17),
    )
    notice_ops.set_preferences(officer, witness, channel="email", email=CANARY_EMAIL, phone=CANARY_PHONE,
                               postal_address=CANARY_ADDRESS, third_party_name=CANARY_NAME)
    db.session.commit()
    return witness


@pytest.mark.real_commits
def test_identity_is_not_in_the_database_in_clear(app, canary_witness):
    rows = raw_rows("witnesses", "legal_name, date_of_birth, contact_details, address, legal_name_index")
    prefs = raw_rows("notification_preferences", "email, phone, postal_address, third_party_name")
    for value in [*rows[0][:4], *prefs[0]]:
        assert isinstance(value, str) and value.startswith("gAAAA"), value  # a Fernet token
        assert not any(canary in value for canary in CANARIES)
    assert "2012" not in rows[0][1]
    if not POSTGRES_URL:
        # The raw file: main database and write-ahead log, after the data reached them.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        path = app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]
        files = glob.glob(path + "*")
        assert path in files
        blob = b"".join(Path(f).read_bytes() for f in files)
        for canary in CANARIES:
            assert canary.encode() not in blob
            assert canary.encode("utf-16-le") not in blob
        assert b"Quillon" not in blob and b"Canary Lane" not in blob


def test_operations_and_pages_see_plain_values(app, client, auth, officer, canary_witness):
    db.session.expire_all()
    witness = db.session.get(Witness, canary_witness.id)
    assert witness.legal_name == CANARY_NAME
    assert witness.date_of_birth == date(2012, 5, 17)
    assert witness.is_child  # the age rule runs in Python on the decrypted date
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    assert CANARY_NAME in page and CANARY_ADDRESS in page


@pytest.mark.real_commits
def test_a_tampered_value_is_refused_not_misread(app, canary_witness):
    token = raw_rows("witnesses", "address")[0][0]
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE witnesses SET address = :a"), {"a": tampered})
    db.session.expire_all()
    with pytest.raises(crypto.KeyError_):
        db.session.get(Witness, canary_witness.id).address  # noqa: B018 - the load decrypts


def test_blind_index_is_keyed_and_normalised(app):
    ring = crypto.keyring()
    assert ring.blind_index("Ana  MARÍA ") == ring.blind_index("ana maría")
    assert ring.blind_index("Ana María") != ring.blind_index("Ana Maria")
    other = crypto.Keyring(ring.keys, b"another-index-key-0123456789abcdef", "setting")
    assert other.blind_index("ana maría") != ring.blind_index("ana maría")


def _search(client, name):  # noqa: ANN001, ANN202
    return client.post("/witnesses/search", data={"name": name}).get_data(as_text=True)


def test_search_by_name_finds_only_witnesses_whose_identity_you_may_see(
    app, client, auth, officer, make_user, make_witness, canary_witness
):
    other = make_witness(legal_name="Someone Else Entirely")
    interpreter = make_user("support_person")
    guardian = make_user("support_person")
    witness_ops.assign_support(officer, canary_witness, interpreter, "interpreter")
    witness_ops.assign_support(officer, canary_witness, guardian, "guardian")
    stranger = make_user("liaison_officer")
    db.session.commit()

    auth.login(officer)
    page = _search(client, "  quillon   CANARYWHISTLE ")
    assert canary_witness.reference in page and other.reference not in page
    assert canary_witness.reference not in _search(client, "Quillon")  # exact match only
    auth.logout()
    for user, finds in ((guardian, True), (interpreter, False), (stranger, False)):
        auth.login(user)
        assert (canary_witness.reference in _search(client, CANARY_NAME)) is finds, user.email
        auth.logout()
    searches = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "witness.identity.search")
    ).scalars().all()
    assert len(searches) == 5
    assert all(CANARY_NAME.lower() not in str(e.details).lower() for e in searches)


def test_api_name_filter(app, client, officer, make_user, make_witness, api_token, canary_witness):
    make_witness(legal_name="Someone Else Entirely")
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, canary_witness, interpreter, "interpreter")
    db.session.commit()
    found = client.get("/api/v1/witnesses", query_string={"name": CANARY_NAME.upper()}, headers=api_token(officer))
    assert [w["id"] for w in found.get_json()["items"]] == [canary_witness.id]
    hidden = client.get("/api/v1/witnesses", query_string={"name": CANARY_NAME}, headers=api_token(interpreter))
    assert hidden.status_code == 200 and hidden.get_json()["items"] == []
    everyone = client.get("/api/v1/witnesses", headers=api_token(interpreter)).get_json()["items"]
    assert [w["id"] for w in everyone] == [canary_witness.id]  # listing still works, pseudonymously
    too_long = client.get("/api/v1/witnesses", query_string={"name": "x" * 201}, headers=api_token(officer))
    assert too_long.status_code == 422 and "name" in too_long.get_json()["error"]["fields"]


@pytest.mark.real_commits
def test_changing_the_name_moves_the_index(app, officer, canary_witness):
    witness_ops.update_witness(officer, canary_witness, legal_name="New Name Given")
    db.session.commit()
    ring = crypto.keyring()
    assert raw_rows("witnesses", "legal_name_index")[0][0] == ring.blind_index("new name given")


# ---- keys from a file, rotation ----------------------------------------------------------------


@pytest.fixture
def file_keyed_app(app, app_config, tmp_path):  # noqa: ARG001 - `app` truncates PostgreSQL afterwards
    """The app as deployed without IDENTITY_KEYS: keys in files created on first use."""
    config = dict(app_config, IDENTITY_KEYS="", IDENTITY_INDEX_KEY="",
                  IDENTITY_KEYS_FILE=str(tmp_path / "identity.keys"),
                  IDENTITY_INDEX_KEY_FILE=str(tmp_path / "identity-index.key"))
    application = create_app(config)
    with application.app_context():
        if not POSTGRES_URL:
            db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_key_files_are_created_on_first_use_private(file_keyed_app, tmp_path):
    ring = crypto.keyring()
    for name in ("identity.keys", "identity-index.key"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, oct(mode)
    assert len(ring.keys) == 1
    assert crypto.keyring().keys == ring.keys  # read again, not regenerated


def test_rotation_re_encrypts_every_row_and_retires_the_old_key(file_keyed_app, make_witness, officer, tmp_path):
    witnesses = [make_witness(legal_name=f"Rotated Person {i}", address=CANARY_ADDRESS) for i in range(3)]
    notice_ops.set_preferences(officer, witnesses[0], channel="sms", phone=CANARY_PHONE)
    db.session.commit()
    old_key = crypto.keyring().keys[0]
    before = raw_rows("witnesses", "legal_name")

    result = file_keyed_app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Retired 1 old key" in result.output

    keys = (tmp_path / "identity.keys").read_text().split()
    assert len(keys) == 1 and keys[0].encode() != old_key
    assert stat.S_IMODE(os.stat(tmp_path / "identity.keys").st_mode) == 0o600
    after = raw_rows("witnesses", "legal_name")
    assert set(before).isdisjoint(after)
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(after[0][0].encode())
    db.session.expire_all()
    assert sorted(w.legal_name for w in db.session.execute(sa.select(Witness)).scalars()) == [
        f"Rotated Person {i}" for i in range(3)
    ]
    check = file_keyed_app.test_cli_runner().invoke(args=["keys", "check"])
    assert check.exit_code == 0, check.output


def test_a_key_file_rotated_by_another_process_is_read_when_a_value_does_not_open(file_keyed_app, make_witness,
                                                                                   tmp_path):
    witness = make_witness(legal_name="Before Rotation")
    db.session.commit()
    old_key = crypto.keyring().keys[0]
    # Another process (`flask keys rotate` on another host) puts a new key first and re-encrypts.
    new_key = Fernet.generate_key()
    (tmp_path / "identity.keys").write_text(f"{new_key.decode()}\n{old_key.decode()}\n")
    token = Fernet(new_key).encrypt(b"After Rotation").decode()
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE witnesses SET legal_name = :t WHERE id = :i"), {"t": token, "i": witness.id})
    db.session.expire_all()
    assert db.session.get(Witness, witness.id).legal_name == "After Rotation"
    assert crypto.keyring().keys[0] == new_key  # and what this process writes now uses the new key


@pytest.mark.real_commits
def test_birth_dates_open_only_with_the_keys_in_force(app, make_witness):
    witness = make_witness(date_of_birth=date(2011, 5, 4))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Witness, witness.id).date_of_birth == date(2011, 5, 4)
    app.config["IDENTITY_KEYS"] = Fernet.generate_key().decode()  # the right key was lost
    crypto.forget_keyring(app)
    db.session.expire_all()
    with pytest.raises(crypto.KeyError_):
        db.session.get(Witness, witness.id).date_of_birth  # noqa: B018 - the load decrypts


@pytest.mark.real_commits
def test_rotation_with_keys_in_the_setting(app, make_witness):
    witness = make_witness(legal_name=CANARY_NAME)
    new_key = Fernet.generate_key().decode()
    app.config["IDENTITY_KEYS"] = f"{new_key},{app.config['IDENTITY_KEYS']}"
    crypto.forget_keyring(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "check"]).exit_code != 0  # rows still under the old key
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "may be removed" in result.output
    app.config["IDENTITY_KEYS"] = new_key  # the old key is gone: every row still opens
    crypto.forget_keyring(app)
    db.session.expire_all()
    assert db.session.get(Witness, witness.id).legal_name == CANARY_NAME


@pytest.mark.real_commits
def test_rotation_refuses_values_no_key_opens(app, make_witness):
    make_witness()
    app.config["IDENTITY_KEYS"] = Fernet.generate_key().decode()  # the right key was lost
    crypto.forget_keyring(app)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code != 0
    assert "opens with no configured key" in str(result.exception) + result.output


# ---- the migration encrypts existing plaintext ---------------------------------------------------


def test_migration_encrypts_existing_plaintext_rows(empty_database_url):  # noqa: F811 - the fixture
    from flask_migrate import downgrade, upgrade

    application = create_app(base_config(empty_database_url))
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0004")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO witnesses (reference, legal_name, date_of_birth, contact_details, address, "
                "presumed_child, age_assessment, gender, nationality, preferred_language, participation, "
                "created_at, updated_at) VALUES ('W-2026-100001', :name, '2011-02-03', :phone, :address, "
                ":no, 'none', '', '', 'en', 'undecided', :at, :at)"
            ), {"name": CANARY_NAME, "phone": CANARY_PHONE, "address": CANARY_ADDRESS, "no": False,
                "at": "2026-01-01 00:00:00"})
        upgrade(directory=MIGRATIONS_DIR)
        row = raw_rows("witnesses", "legal_name, date_of_birth, contact_details, address, legal_name_index")[0]
        assert all(v.startswith("gAAAA") for v in row[:4])
        ring = crypto.keyring()
        assert ring.decrypt(row[0]) == CANARY_NAME and ring.decrypt(row[1]) == "2011-02-03"
        assert row[4] == ring.blind_index(CANARY_NAME)
        witness = db.session.execute(sa.select(Witness)).scalar_one()
        assert witness.date_of_birth == date(2011, 2, 3) and witness.address == CANARY_ADDRESS
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="0004")
        assert raw_rows("witnesses", "legal_name")[0][0] == CANARY_NAME
        db.engine.dispose()

"""The audit trail is append-only in the database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from witness_support.audit import AuditEvent
from witness_support.extensions import db


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'nothing.happened'", "DELETE FROM audit_events"],
)
def test_raw_sql_cannot_change_or_remove_audit_events(officer, make_witness, statement):
    make_witness()
    before = db.session.execute(sa.select(AuditEvent.id, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert before
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    after = db.session.execute(sa.select(AuditEvent.id, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert after == before


def test_the_migrated_schema_has_the_triggers_too(tmp_path):
    from flask_migrate import upgrade

    from tests.helpers import base_config
    from witness_support import MIGRATIONS_DIR, create_app

    app = create_app(base_config(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        db.session.execute(sa.text(
            "INSERT INTO audit_events (at, action, object_type, details) VALUES (CURRENT_TIMESTAMP, 'x', 'y', '{}')"
        ))
        db.session.commit()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM audit_events"))
        db.session.rollback()
        db.engine.dispose()


def test_the_trail_pages_back_through_every_event(app, client, auth, admin):
    from witness_support import audit as audit_module
    from witness_support.admin.views import AUDIT_PAGE_LIMIT

    for n in range(AUDIT_PAGE_LIMIT + 5):
        audit_module.record("demo.paged", object_type="system", object_id=n + 1, actor=admin)
    db.session.commit()
    auth.login(admin)
    first = client.get("/admin/audit?action=demo.paged").get_data(as_text=True)
    assert first.count("<td>demo.paged</td>") == AUDIT_PAGE_LIMIT and "Older events" in first
    older = first.split('Older events')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert second.count("<td>demo.paged</td>") == 5 and "Older events" not in second and "Newest events" in second
    assert "System #1<" in second  # the very first event is reached

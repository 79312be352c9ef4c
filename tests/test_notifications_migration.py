"""Notices queued before notices stored kind codes get them at upgrade: a database holding custody
and property notices in the older shape (English words, no kind) is upgraded, and each notice
then carries the kind it is said by, in the witness's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.helpers import CANARY_OFFENDER, base_config, future, insert_old_shape_notice, past
from witness_support import MIGRATIONS_DIR, create_app
from witness_support.auth import operations as auth_ops
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification
from witness_support.notifications.texts import EVENT_WORDS, ITEM_WORDS, render
from witness_support.remedies import operations as remedies_ops
from witness_support.witnesses import operations as witness_ops

pytestmark = pytest.mark.migration

BEFORE = "0038"  # the revision before the kind codes were filled in


def test_upgrade_fills_the_kind_codes_of_notices_queued_before(empty_database_url, capsys):
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        officer = auth_ops.create_user("officer-migration@example.test", role="liaison_officer",
                                       password="a long invented passphrase 2026", display_name="Olive")
        case = case_ops.create_case(officer, reference="MIG-0001", court_name="Invented District Court",
                                    court_timezone="Asia/Jakarta", offence_type="Trafficking in persons")
        defendant = case_ops.add_defendant(officer, case, name=CANARY_OFFENDER, custody_status="remanded")
        witness = witness_ops.create_witness(officer, legal_name="Invented Person", preferred_language="Indonesian")
        case_ops.start_journey(officer, case, witness)
        event = custody_ops.record_custody_event(officer, defendant, kind="sentenced", source="Court record",
                                                 occurred_at=utc_now() - timedelta(hours=2), release_date=future(400))
        item = remedies_ops.record_property(officer, witness, kind="passport", taken_on=past(30),
                                            taken_by="Invented Police Unit")
        db.session.commit()
        told = {"offender": CANARY_OFFENDER, "changed_on": "2026-11-02 09:30 (Asia/Jakarta)", "hearing_on": "",
                "release_date": ""}
        rows = {
            # The custody entry it names still says what happened.
            "by-event": ("custody_update", {**told, "what": "sentenced to custody", "custody_event_id": event.id}),
            # No entry to read: the English words say it.
            "by-words": ("custody_update", {**told, "what": "transferred", "custody_event_id": None}),
            "item-by-row": ("property_collectable", {"item": "passport", "collectable_from": future(3).isoformat()}),
            "item-by-words": ("property_collectable", {"item": "identity card",
                                                       "collectable_from": future(3).isoformat()}),
            # Nothing to recover it from: left as it was.
            "unknown": ("custody_update", {**told, "what": "moved to a hospital wing"}),
        }
        keys = {"item-by-row": f"property-collectable:i{item.id}:{future(3).isoformat()}"}
        for name, (kind, context) in rows.items():
            insert_old_shape_notice(witness.id, case.id, kind, keys.get(name, f"old:{name}"), context)
        db.session.commit()
        queued_now = {n.dedup_key: dict(n.context) for n in db.session.execute(sa.select(Notification)).scalars()
                      if not n.dedup_key.startswith(("old:", "property-collectable:"))}
        assert queued_now and all(c.get("event_kind") for c in queued_now.values())  # the current shape
        db.session.remove()

        upgrade(directory=MIGRATIONS_DIR)

        contexts = {n.dedup_key: n.context for n in db.session.execute(sa.select(Notification)).scalars()}
        assert contexts["old:by-event"]["event_kind"] == "sentenced"
        assert contexts["old:by-words"]["event_kind"] == "transferred"
        assert contexts[keys["item-by-row"]]["item_kind"] == "passport"
        assert contexts["old:item-by-words"]["item_kind"] == "identity_card"
        assert contexts["old:unknown"] == rows["unknown"][1]
        assert {k: contexts[k] for k in queued_now} == queued_now  # rows in the current shape are untouched
        # What the Indonesian witness is told from the upgraded rows.
        _, body, used, fallback = render("custody_update", "Indonesian", contexts["old:by-event"], minimal=False)
        assert (used, fallback) == ("id", False)
        assert EVENT_WORDS["id"]["sentenced"] in body and "sentenced to custody" not in body
        _, body, _, _ = render("property_collectable", "th", contexts["old:item-by-words"], minimal=False)
        assert ITEM_WORDS["th"]["identity_card"] in body and "identity card" not in body
        db.session.remove()
        db.engine.dispose()
    capsys.readouterr()

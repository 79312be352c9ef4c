"""Custody and property notices in every language the notices ship: each custody entry, its
protective bail conditions and a collectable item are told in the witness's language, with no
English event, condition or item words left in them and no fallback to English."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, future, insert_old_shape_notice, past
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.custody.models import CONDITION_WORDS, WORDS, EventKind
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.notifications.models import Notification
from witness_support.notifications.texts import EVENT_WORDS, FULL, ITEM_WORDS, PROTECTIVE_WORDS
from witness_support.remedies import operations as remedies_ops
from witness_support.tasks.models import Task

OTHER_LANGUAGES = sorted(set(FULL) - {"en"})
# Every English phrase a custody notice could carry: what happened, the bail conditions, the
# protective-conditions sentence.
ENGLISH = sorted(
    {*WORDS.values(), *CONDITION_WORDS.values(), "must not contact you",
     PROTECTIVE_WORDS["en"]["intro"].strip(" :")},
    key=len, reverse=True,
)
ZONE = "Jalan Mawar 12"  # an invented place: told as the court wrote it


def _told(witness_id: int) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.execute(
        sa.select(Notification).where(Notification.witness_id == witness_id).order_by(Notification.id)
    ).scalars())


def _event_fields(kind: EventKind, witness_id: int) -> dict:
    fields: dict = {"occurred_at": utc_now() - timedelta(hours=2), "source": "Court clerk by phone"}
    if kind == EventKind.PAROLE_HEARING:
        fields["hearing_on"] = future(40)
    if kind == EventKind.SENTENCED:
        fields["release_date"] = future(400)
    if kind == EventKind.BAILED:
        fields["conditions"] = [{"kind": "no_contact", "witness_id": witness_id},
                                {"kind": "exclusion_zone", "text": ZONE},
                                {"kind": "curfew", "text": "21:00 to 06:00"}]
    return fields


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_custody_notice_is_told_in_the_witness_s_language(
        app, officer, make_case, make_witness, make_journey, language):
    case = make_case(court_timezone="Asia/Jakarta")
    defendant = case_ops.add_defendant(officer, case, name=CANARY_OFFENDER, custody_status="remanded")
    witness = make_witness()
    make_journey(witness=witness, case=case)
    notify_ops.set_preferences(officer, witness, channel="in_person", language=language)
    db.session.commit()
    for kind in EventKind:
        custody_ops.record_custody_event(officer, defendant, kind=kind, **_event_fields(kind, witness.id))
        db.session.commit()
    sweep.send_due()
    notices = _told(witness.id)
    assert len(notices) == len(EventKind)
    for notice in notices:
        assert (notice.language, notice.language_fallback) == (language, False), notice.kind
        text = f"{notice.subject}\n{notice.body}".lower()
        assert CANARY_OFFENDER.lower() in text
        left = [phrase for phrase in ENGLISH if phrase.lower() in text]
        assert not left, (notice.kind, left, notice.body)
    [bail] = [n for n in notices if n.kind == "bail" and n.context.get("protective")]
    # The protective conditions are told, in the language; the curfew does not concern the witness.
    assert ZONE in bail.body and "21:00" not in bail.body
    # Nothing went out in English, so the officer has nothing to translate.
    assert not db.session.execute(sa.select(Task).where(Task.kind == "notice_translation")).scalars().all()


@pytest.mark.parametrize("language", sorted(FULL))
def test_the_property_notice_is_told_in_every_language(app, officer, make_witness, language):
    witness = make_witness()
    notify_ops.set_preferences(officer, witness, channel="in_person", language=language)
    item = remedies_ops.record_property(officer, witness, kind="identity_card", taken_on=past(30),
                                        taken_by="Invented Police Unit")
    remedies_ops.record_property_return(officer, item, collectable_from=future(3))
    db.session.commit()
    sweep.send_due()
    [notice] = _told(witness.id)
    assert notice.kind == "property_collectable"
    assert (notice.language, notice.language_fallback) == (language, False)
    assert future(3).isoformat() in notice.body
    if language != "en":
        assert "identity card" not in notice.body.lower()
    else:
        assert "Your identity card taken as evidence" in notice.body


# Custody entries told as a "custody update", whose notice says what happened in words.
UPDATES = [EventKind.CHARGES_DROPPED, EventKind.SENTENCED, EventKind.TRANSFERRED, EventKind.TEMPORARY_RELEASE]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_notices_queued_before_the_kind_codes_are_sent_in_the_witness_s_language(
        app, officer, make_case, make_witness, make_journey, smtp_server, language):
    case = make_case(court_timezone="Asia/Jakarta")
    witness = make_witness()
    make_journey(witness=witness, case=case)
    notify_ops.set_preferences(officer, witness, channel="email", language=language,
                               email="queued-before@example.test", contact_is_safe=True)
    db.session.commit()
    for kind in UPDATES:
        insert_old_shape_notice(witness.id, case.id, "custody_update", f"custody:old-{kind}:w{witness.id}", {
            "offender": CANARY_OFFENDER, "changed_on": "2026-11-02 09:30 (Asia/Jakarta)", "what": WORDS[kind],
            "hearing_on": "", "release_date": "", "custody_event_id": None})
    insert_old_shape_notice(witness.id, None, "property_collectable", f"property-collectable:old:w{witness.id}",
                            {"item": "identity card", "collectable_from": future(3).isoformat()})
    db.session.commit()
    result = sweep.send_due()
    assert result.sent == len(UPDATES) + 1
    bodies = {m["Subject"]: m.get_content() for m in smtp_server.messages}
    custody = [body for body in smtp_server.bodies() if CANARY_OFFENDER in body]
    assert len(custody) == len(UPDATES)
    said = {kind: EVENT_WORDS[language][kind] for kind in UPDATES}
    for kind, words in said.items():
        assert sum(words in body for body in custody) == 1, (kind, words)
    for body in custody:
        assert FULL[language]["custody_update"][1].split("{")[0].strip() in body  # the notice's own language
        left = [phrase for phrase in ENGLISH if phrase.lower() in body.lower()]
        assert not left, (left, body)
    [item_notice] = [body for subject, body in bodies.items() if subject == FULL[language]["property_collectable"][0]]
    assert ITEM_WORDS[language]["identity_card"] in item_notice and "identity card" not in item_notice.lower()
    told = _told(witness.id)
    assert {(n.language, n.language_fallback) for n in told} == {(language, False)}
    assert not db.session.execute(sa.select(Task).where(Task.kind == "notice_translation")).scalars().all()

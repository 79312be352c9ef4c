"""A compensation order recorded with the outcome: it opens a claim in the criminal-order route for
the witness it is for, appears in that witness's verdict notice to a safe contact (through a real
SMTP server), never in an SMS, an unsafe email or another witness's notice; bad orders refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers import CANARY_OFFENDER, future
from witness_support.db import today_utc
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.notifications import sweep
from witness_support.outcomes import operations as outcome_ops
from witness_support.outcomes.models import Outcome
from witness_support.remedies.models import CompensationClaim

AMOUNT = "7350.25"


def _prefs(officer, witness, **fields):  # noqa: ANN001, ANN202
    fields.setdefault("language", "en")
    notify_ops.set_preferences(officer, witness, **fields)
    db.session.commit()


def _convict(officer, setup, witness, **extra):  # noqa: ANN001, ANN202
    outcome = outcome_ops.record_outcome(
        officer, setup.defendant, verdict="convicted", sentence_kind="fine", sentenced_on=today_utc(),
        compensation_amount=AMOUNT, compensation_currency="idr", compensation_due_on=future(60),
        compensation_witness_id=witness.id, **extra,
    )
    db.session.commit()
    return outcome


def test_the_order_opens_a_criminal_order_claim_for_the_witness(app, officer, trial_case):
    setup = trial_case(witnesses=2)
    outcome = _convict(officer, setup, setup.witnesses[1])
    claim = db.session.execute(sa.select(CompensationClaim)).scalar_one()
    assert (claim.witness_id, claim.route, claim.respondent, claim.defendant_id, claim.outcome_id) == (
        setup.witnesses[1].id, "criminal_order", "defendant", setup.defendant.id, outcome.id)
    assert claim.amount_awarded == Decimal(AMOUNT) and claim.awarded_currency == "IDR"
    assert claim.status == "awarded" and claim.payment_due_on == future(60)
    outcome_ops.update_outcome(officer, outcome, compensation_amount="8000")
    db.session.commit()
    db.session.refresh(claim)
    assert claim.amount_awarded == Decimal("8000.00")
    assert db.session.execute(sa.select(sa.func.count()).select_from(CompensationClaim)).scalar_one() == 1


def test_verdict_notice_to_a_safe_email_tells_the_order_and_others_do_not_hear_it(
        app, officer, trial_case, smtp_server):
    setup = trial_case(witnesses=2)
    first, second = setup.witnesses
    _prefs(officer, first, channel="email", email="safe@example.test", contact_is_safe=True)
    _prefs(officer, second, channel="email", email="other@example.test", contact_is_safe=True)
    _convict(officer, setup, first)
    sweep.send_due()
    by_to: dict[str, list[str]] = {}
    for message, body in zip(smtp_server.messages, smtp_server.bodies(), strict=True):
        by_to.setdefault(message["To"], []).append(body)
    verdict = next(b for b in by_to["safe@example.test"] if "verdict" in b)
    assert f"to pay you compensation of {AMOUNT} IDR" in verdict and CANARY_OFFENDER in verdict
    assert all(AMOUNT not in body for body in by_to["other@example.test"])


def test_never_in_an_sms_or_an_unsafe_email(app, officer, trial_case, smtp_server, sms_dir):
    setup = trial_case(witnesses=2)
    first, second = setup.witnesses
    _prefs(officer, first, channel="sms", phone="+62 811 0000 0000", contact_is_safe=True)
    _prefs(officer, second, channel="email", email="shared@example.test", contact_is_safe=False)
    _convict(officer, setup, first)
    outcome_ops.update_outcome(officer, db.session.execute(sa.select(Outcome)).scalar_one(),
                               compensation_witness_id=second.id)
    db.session.commit()
    sweep.send_due()
    texts = [p.read_text(encoding="utf-8") for p in sms_dir.iterdir()] + smtp_server.bodies()
    assert texts and all(AMOUNT not in text and "compensation" not in text for text in texts)


@pytest.mark.parametrize(("fields", "field"), [
    ({"compensation_amount": "-1", "compensation_currency": "EUR"}, "compensation_amount"),
    ({"compensation_amount": "10", "compensation_currency": "EURO"}, "compensation_currency"),
    ({"compensation_amount": "10", "compensation_currency": "EUR", "compensation_witness_id": 999999},
     "compensation_witness_id"),
])
def test_a_bad_order_is_refused_and_nothing_is_saved(app, officer, trial_case, fields, field):
    setup = trial_case()
    fields.setdefault("compensation_witness_id", setup.witness.id)
    with pytest.raises(ValidationFailed) as caught:
        outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted", **fields)
    db.session.rollback()
    assert field in caught.value.field_errors
    assert db.session.execute(sa.select(sa.func.count()).select_from(Outcome)).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(CompensationClaim)).scalar_one() == 0


def test_an_acquittal_carries_no_order(app, officer, trial_case):
    setup = trial_case()
    with pytest.raises(ValidationFailed) as caught:
        outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted", compensation_amount="10",
                                   compensation_currency="EUR", compensation_witness_id=setup.witness.id)
    assert "conviction" in caught.value.field_errors["compensation_amount"]


def test_another_witness_s_stored_notice_rows_never_hold_the_order(app, officer, trial_case):
    setup = trial_case(witnesses=2)
    first, second = setup.witnesses
    _convict(officer, setup, first)
    # The rows as stored, through the table and not the model: what a backup or a query reads.
    table = sa.table("notifications", sa.column("witness_id"), sa.column("kind"), sa.column("context"))
    rows = db.session.execute(
        sa.select(table.c.witness_id, table.c.kind, sa.cast(table.c.context, sa.Text))).all()
    assert {kind for _, kind, _ in rows} >= {"verdict", "sentence"}
    theirs = [text for witness_id, _, text in rows if witness_id == first.id]
    others = [text for witness_id, _, text in rows if witness_id == second.id]
    assert theirs and others
    assert all(AMOUNT in text and "IDR" in text for text in theirs)
    for text in others:
        assert AMOUNT not in text and "IDR" not in text and "compensation" not in text
        assert CANARY_OFFENDER in text  # the rest of the news is the same for both

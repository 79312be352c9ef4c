"""Ledger rules without HTTP: what an entry needs, the second person, corrections and totals,
concerns and their supervisor, testimony highlighting, and the disclosure schedule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers import past
from witness_support.errors import Conflict, NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.ledger import operations as ledger_ops
from witness_support.ledger.models import BenefitEntry
from witness_support.tasks.operations import open_tasks_for


def _count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(BenefitEntry)).scalar()


GOOD = {
    "kind": "accommodation", "description": "Room in a safe house", "amount": "120.00", "currency": "USD",
    "provided_on": past(10), "provided_until": past(3), "provider": "Invented Shelter Foundation",
    "rationale": "The witness cannot return home safely while the traffickers are at large.",
}


def test_a_complete_entry_is_recorded_with_who_and_when(ledger_world):
    w = ledger_world
    entry = ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    db.session.commit()
    assert entry.amount == Decimal("120.00") and entry.currency == "USD"
    assert (entry.entered_by_id, entry.authorised_by_id) == (w.officer.id, w.officer.id)
    assert entry.entered_at is not None and entry.entered_at.tzinfo is not None
    assert entry.provided_until == past(3)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "cash"}, "kind"),
        ({"description": "  "}, "description"),
        ({"rationale": "needed"}, "rationale"),
        ({"rationale": ""}, "rationale"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": "12,50"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": None}, "currency"),
        ({"amount": None, "currency": "USD"}, "amount"),
        ({"provided_on": None}, "provided_on"),
        ({"provided_on": date.today() + timedelta(days=5), "provided_until": None}, "provided_on"),
        ({"provided_until": past(20)}, "provided_until"),
        ({"provider": ""}, "provider"),
    ],
)
def test_bad_entries_are_refused_with_a_message_and_nothing_recorded(ledger_world, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        ledger_ops.record_benefit(ledger_world.officer, ledger_world.witness, **(GOOD | changes))
    assert field in caught.value.field_errors
    assert caught.value.field_errors[field]
    db.session.rollback()
    assert _count() == 0


def test_non_monetary_benefits_need_no_amount(ledger_world):
    entry = ledger_ops.record_benefit(
        ledger_world.officer, ledger_world.witness,
        **(GOOD | {"kind": "psychological", "amount": None, "currency": None}),
    )
    assert entry.amount is None and entry.currency is None


def test_currency_codes_are_normalised(ledger_world):
    entry = ledger_ops.record_benefit(ledger_world.officer, ledger_world.witness, **(GOOD | {"currency": "usd"}))
    assert entry.currency == "USD"


def test_configured_kinds_need_a_second_person(ledger_world):
    w = ledger_world
    visa = GOOD | {"kind": "visa_or_stay_permit", "amount": None, "currency": None}
    with pytest.raises(ValidationFailed) as caught:
        ledger_ops.record_benefit(w.officer, w.witness, **visa)
    assert "second person" in caught.value.field_errors["authorised_by_id"]
    db.session.rollback()
    entry = ledger_ops.record_benefit(w.officer, w.witness, **visa, authorised_by=w.colleague)
    assert (entry.entered_by_id, entry.authorised_by_id) == (w.officer.id, w.colleague.id)
    # The named authoriser is told, so their name cannot be used without them knowing.
    (task,) = open_tasks_for(w.colleague)
    assert (task.kind, task.source_id, task.witness_id) == ("check_benefit_authorisation", entry.id, w.witness.id)
    assert w.witness.reference in task.title and w.witness.legal_name not in task.title
    assert open_tasks_for(w.officer) == []
    # A prosecutor on the witness's case may authorise too.
    assert ledger_ops.record_benefit(w.officer, w.witness, **visa, authorised_by=w.prosecutor).id == 2


def test_amounts_above_the_threshold_need_a_second_person(app, ledger_world):
    w = ledger_world
    app.config["LEDGER_SECOND_PERSON_THRESHOLDS"] = "USD:250,IDR:3000000"
    small = GOOD | {"kind": "travel", "amount": "250.00"}
    assert ledger_ops.record_benefit(w.officer, w.witness, **small).authorised_by_id == w.officer.id
    for amount, currency in (("250.01", "USD"), ("3000000.01", "IDR")):
        with pytest.raises(ValidationFailed):
            ledger_ops.record_benefit(w.officer, w.witness, **(small | {"amount": amount, "currency": currency}))
        db.session.rollback()
    # A currency with no threshold of its own falls back to the default (none set: no limit).
    assert ledger_ops.record_benefit(w.officer, w.witness, **(small | {"amount": "9000", "currency": "THB"}))
    app.config["LEDGER_SECOND_PERSON_DEFAULT_THRESHOLD"] = "5000"
    with pytest.raises(ValidationFailed):
        ledger_ops.record_benefit(w.officer, w.witness, **(small | {"amount": "9000", "currency": "THB"}))


@pytest.mark.parametrize("who", ["stranger", "support", "admin"])
def test_the_authoriser_must_be_staff_assigned_to_the_witness(ledger_world, who):
    w = ledger_world
    with pytest.raises(ValidationFailed) as caught:
        ledger_ops.record_benefit(w.officer, w.witness, **GOOD, authorised_by=getattr(w, who))
    assert "assigned to this witness" in caught.value.field_errors["authorised_by_id"]


def test_reversal_negates_and_both_stay_visible(ledger_world):
    w = ledger_world
    original = ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    reversal = ledger_ops.correct_benefit(
        w.officer, original, correction_type="reversal", reason="Recorded twice by mistake on the same day.",
    )
    assert (reversal.amount, reversal.currency, reversal.corrects_id) == (Decimal("-120.00"), "USD", original.id)
    entries = ledger_ops.entries_for([w.witness.id])
    assert [e.id for e in entries] == [original.id, reversal.id]
    (total,) = ledger_ops.totals(entries)
    assert (total.kind, total.currency, total.amount, total.entries) == ("accommodation", "USD", Decimal("0.00"), 0)


def test_an_entry_is_reversed_once_and_reversing_the_reversal_reinstates_it(ledger_world):
    w = ledger_world
    original = ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    reason = "The payment was returned by the bank, so it never happened."
    reversal = ledger_ops.correct_benefit(w.officer, original, correction_type="reversal", reason=reason)
    db.session.commit()
    with pytest.raises(Conflict):
        ledger_ops.correct_benefit(w.officer, original, correction_type="reversal", reason=reason)
    db.session.rollback()
    reinstated = ledger_ops.correct_benefit(
        w.officer, reversal, correction_type="reversal", reason="The bank confirmed the payment went through.",
    )
    assert reinstated.amount == Decimal("120.00")
    (total,) = ledger_ops.totals(ledger_ops.entries_for([w.witness.id]))
    assert (total.amount, total.entries) == (Decimal("120.00"), 1)


def test_adjustments_carry_the_difference(ledger_world):
    w = ledger_world
    original = ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    ledger_ops.record_benefit(w.officer, w.witness, **(GOOD | {"kind": "travel", "amount": "15.50"}))
    adjustment = ledger_ops.correct_benefit(
        w.officer, original, correction_type="adjustment", amount="-20.00",
        reason="The receipt shows 100.00, not 120.00.",
    )
    assert adjustment.amount == Decimal("-20.00")
    totals = {(t.kind, t.currency): t for t in ledger_ops.totals(ledger_ops.entries_for([w.witness.id]))}
    assert totals[("accommodation", "USD")].amount == Decimal("100.00")
    assert totals[("accommodation", "USD")].entries == 1
    assert totals[("travel", "USD")].amount == Decimal("15.50")


@pytest.mark.parametrize(
    ("kind_of_original", "changes", "field"),
    [
        ("money", {"correction_type": "rewrite"}, "correction_type"),
        ("money", {"correction_type": "adjustment", "amount": None}, "amount"),
        ("money", {"correction_type": "adjustment", "amount": "0"}, "amount"),
        ("money", {"correction_type": "reversal", "amount": "5"}, "amount"),
        ("money", {"correction_type": "reversal", "reason": "wrong"}, "reason"),
        ("none", {"correction_type": "adjustment", "amount": "5"}, "correction_type"),
    ],
)
def test_bad_corrections_are_refused(ledger_world, kind_of_original, changes, field):
    w = ledger_world
    data = GOOD if kind_of_original == "money" else GOOD | {"kind": "medical", "amount": None, "currency": None}
    original = ledger_ops.record_benefit(w.officer, w.witness, **data)
    db.session.commit()
    arguments = {"correction_type": "reversal", "reason": "A reason that is long enough to count."} | changes
    with pytest.raises(ValidationFailed) as caught:
        ledger_ops.correct_benefit(w.officer, original, **arguments)
    assert field in caught.value.field_errors
    db.session.rollback()
    assert _count() == 1


def test_corrections_of_second_person_entries_need_a_second_person(ledger_world):
    w = ledger_world
    grant = GOOD | {"kind": "livelihood_grant", "amount": "50.00"}
    original = ledger_ops.record_benefit(w.officer, w.witness, **grant, authorised_by=w.colleague)
    with pytest.raises(ValidationFailed):
        ledger_ops.correct_benefit(w.officer, original, correction_type="reversal",
                                   reason="The grant was cancelled before it was paid.")
    db.session.rollback()
    assert ledger_ops.correct_benefit(
        w.officer, original, correction_type="reversal", reason="The grant was cancelled before it was paid.",
        authorised_by=w.colleague,
    ).amount == Decimal("-50.00")


def test_concerns_reach_the_officers_supervisor_until_resolved(ledger_world):
    w = ledger_world
    entry = ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    concern = ledger_ops.raise_concern(w.support, w.witness, "The room is being sublet to others.", entry)
    on_witness = ledger_ops.raise_concern(w.prosecutor, w.witness, "Phone credit seems to be resold.")
    db.session.commit()
    assert [c.id for c in ledger_ops.open_concerns_for_supervisor(w.supervisor)] == [concern.id, on_witness.id]
    for other in (w.officer, w.colleague, w.stranger, w.admin):
        assert ledger_ops.open_concerns_for_supervisor(other) == []
        with pytest.raises(NotFound):
            ledger_ops.resolve_concern(other, concern, "Looked into it and all is fine here.")
    with pytest.raises(ValidationFailed):
        ledger_ops.resolve_concern(w.supervisor, concern, "ok")
    ledger_ops.resolve_concern(w.supervisor, concern, "Visited the shelter: only the witness lives there.")
    db.session.commit()
    assert concern.resolved_by_id == w.supervisor.id and concern.resolution.startswith("Visited")
    assert [c.id for c in ledger_ops.open_concerns_for_supervisor(w.supervisor)] == [on_witness.id]
    with pytest.raises(Conflict):
        ledger_ops.resolve_concern(w.supervisor, concern, "Resolving it a second time here.")


def test_a_concern_needs_words_and_its_entry_must_be_the_witnesss(ledger_world, make_witness, record_benefit):
    w = ledger_world
    with pytest.raises(ValidationFailed):
        ledger_ops.raise_concern(w.officer, w.witness, "hmm")
    other_entry = record_benefit(make_witness())
    with pytest.raises(ValidationFailed) as caught:
        ledger_ops.raise_concern(w.officer, w.witness, "This looks like misuse of support.", other_entry)
    assert "entry_id" in caught.value.field_errors


@pytest.mark.parametrize(
    ("provided_on", "provided_until", "expected"),
    [
        (date(2026, 3, 1), None, [date(2026, 3, 31)]),  # exactly 30 days before
        (date(2026, 2, 28), None, []),  # 31 days before
        (date(2026, 3, 31), None, [date(2026, 3, 31)]),  # the testimony day itself
        (date(2026, 4, 1), None, []),  # after testimony
        (date(2026, 1, 1), date(2026, 3, 5), [date(2026, 3, 31)]),  # a period reaching into the window
        (date(2026, 1, 1), date(2026, 2, 28), []),  # a period ending before it
        (date(2026, 3, 20), date(2026, 6, 1), [date(2026, 3, 31), date(2026, 6, 30)]),  # spans two windows
    ],
)
def test_benefits_near_testimony(provided_on, provided_until, expected):
    dates = [date(2026, 6, 30), date(2026, 3, 31)]
    assert ledger_ops.benefits_near_testimony(provided_on, provided_until, dates, 30) == expected


def test_testimony_dates_seam_returns_nothing_until_court_events_are_wired(ledger_world):
    assert ledger_ops.testimony_dates(ledger_world.witness.id, ledger_world.case.id) == []


def test_case_schedule_in_date_order_with_totals_concerns_and_highlights(ledger_world, make_witness):
    w = ledger_world
    late = ledger_ops.record_benefit(w.officer, w.witness, **(GOOD | {"provided_on": past(2), "provided_until": None}))
    early = ledger_ops.record_benefit(
        w.officer, w.witness, **(GOOD | {"provided_on": past(60), "provided_until": None})
    )
    fix = ledger_ops.correct_benefit(w.officer, early, correction_type="adjustment", amount="5.00",
                                     reason="The invoice included a late fee of five dollars.")
    ledger_ops.raise_concern(w.support, w.witness, "The witness says the room is not theirs.", late)
    ledger_ops.create_checkpoint(w.officer)
    db.session.commit()
    schedule = ledger_ops.build_schedule(case=w.case, dates={w.witness.id: [past(0)]})
    (section,) = schedule.sections
    assert [r.entry.id for r in section.rows] == [early.id, fix.id, late.id]
    assert [bool(r.near_testimony) for r in section.rows] == [False, False, True]
    assert section.rows[0].corrected_by == [fix.id]
    assert section.totals[0].amount == Decimal("245.00")
    assert schedule.totals[0].amount == Decimal("245.00")
    assert len(section.concerns) == 1
    assert schedule.checkpoint is not None and schedule.checkpoint_authentic
    assert schedule.up_to_sequence == 3
    # Without dates given, the seam decides (nothing highlighted until court events are wired).
    assert not any(r.near_testimony for r in ledger_ops.build_schedule(witness=w.witness).sections[0].rows)


def test_recording_a_disclosure_remembers_what_was_disclosed(ledger_world):
    w = ledger_world
    ledger_ops.record_benefit(w.officer, w.witness, **GOOD)
    with pytest.raises(ValidationFailed):
        ledger_ops.record_disclosure(w.prosecutor, case=w.case, disclosed_on=None)
    with pytest.raises(ValidationFailed):
        ledger_ops.record_disclosure(w.prosecutor, case=w.case, disclosed_on=date.today() + timedelta(days=9))
    disclosure = ledger_ops.record_disclosure(w.prosecutor, case=w.case, disclosed_on=past(1), note="Served by email")
    db.session.commit()
    assert (disclosure.up_to_sequence, disclosure.case_id, disclosure.witness_id) == (1, w.case.id, None)
    newer = ledger_ops.record_benefit(w.officer, w.witness, **(GOOD | {"kind": "travel"}))
    schedule = ledger_ops.build_schedule(case=w.case)
    assert [d.id for d in schedule.disclosures] == [disclosure.id]
    assert schedule.undisclosed == [newer.id]


@pytest.mark.parametrize(("text", "expected"), [("1,200.50", "1200.50"), ("-1,000", "-1000.00"), ("7", "7.00"),
                                               (3, "3.00"), (0.1, "0.10"), ("1e2", "100.00")])
def test_amount_parsing(text, expected):
    assert str(ledger_ops.parse_amount(text)) == expected

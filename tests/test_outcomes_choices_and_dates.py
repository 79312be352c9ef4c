"""An outcome is what someone chose, with dates that agree with each other, and a history that reads
as sentences: no preset verdict or sentence, no release before the sentence or in the past."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.db import today_utc
from witness_support.errors import ValidationFailed
from witness_support.extensions import db
from witness_support.outcomes import operations
from witness_support.outcomes.models import Outcome

BLANK = {"verdict": "", "sentence_kind": "", "appeal_lodged_by": "", "appeal_outcome": ""}


def _selected(page: str, name: str) -> list[str]:
    box = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option selected value="([^"]*)"', box)


def test_the_new_outcome_form_presets_no_verdict_and_no_sentence(client, auth, officer, trial_case):
    setup = trial_case()
    auth.login(officer)
    url = f"/outcomes/case/{setup.case.id}/defendant/{setup.defendant.id}/new"
    page = client.get(url).get_data(as_text=True)
    assert _selected(page, "verdict") in ([], [""]) and ">Choose…<" in page
    assert _selected(page, "sentence_kind") in ([], [""])
    refused = client.post(url, data=BLANK)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Choose the verdict." in text and "Choose the sentence, or “No sentence (yet)”." in text
    assert db.session.execute(sa.select(Outcome)).first() is None
    # "No sentence (yet)" is a choice of its own, stored as no sentence.
    assert client.post(url, data=BLANK | {"verdict": "acquitted", "sentence_kind": "none"}).status_code == 302
    outcome = db.session.execute(sa.select(Outcome)).scalar_one()
    assert outcome.verdict == "acquitted" and outcome.sentence_kind is None
    edit = client.get(f"/outcomes/{outcome.id}/edit").get_data(as_text=True)
    assert _selected(edit, "verdict") == ["acquitted"] and _selected(edit, "sentence_kind") == ["none"]


@pytest.mark.parametrize(("dates", "field", "message"), [
    ({"sentenced_on": past(10), "proposed_release_date": past(20)}, "proposed_release_date",
     "cannot be before the date of the sentence"),
    ({"sentenced_on": past(10), "earliest_release_date": past(20), "proposed_release_date": future(300)},
     "earliest_release_date", "cannot be before the date of the sentence"),
    ({"sentenced_on": past(10), "appeal_deadline": past(12)}, "appeal_deadline",
     "cannot be before the date of the sentence"),
    ({"sentenced_on": past(10), "proposed_release_date": past(3)}, "proposed_release_date",
     "cannot be in the past"),
    ({"earliest_release_date": future(400), "proposed_release_date": future(300)}, "earliest_release_date",
     "cannot be after the proposed release date"),
])
def test_dates_are_checked_against_their_neighbours(officer, trial_case, dates, field, message):
    setup = trial_case()
    with pytest.raises(ValidationFailed) as caught:
        operations.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment",
                                  sentence_months=24, **dates)
    assert message in caught.value.field_errors[field]


def test_a_past_release_date_is_refused_by_the_form_with_its_message(client, auth, officer, trial_case):
    setup = trial_case()
    auth.login(officer)
    response = client.post(f"/outcomes/case/{setup.case.id}/defendant/{setup.defendant.id}/new", data=BLANK | {
        "verdict": "convicted", "sentence_kind": "imprisonment", "sentence_months": "12",
        "proposed_release_date": past(2).isoformat()})
    assert response.status_code == 200
    assert "A proposed release date cannot be in the past" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Outcome)).first() is None


def test_a_release_date_that_has_passed_does_not_block_another_change(officer, trial_case):
    setup = trial_case()
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment",
                                        sentence_months=12, proposed_release_date=future(1))
    outcome.proposed_release_date = today_utc() - timedelta(days=30)  # time has passed
    db.session.flush()
    operations.update_outcome(officer, outcome, appeal_deadline=future(20))
    assert outcome.appeal_deadline == future(20)
    # Today itself, and yesterday (a court behind UTC may still be on it), are accepted.
    operations.update_outcome(officer, outcome, proposed_release_date=today_utc() - timedelta(days=1))


def test_the_history_reads_as_sentences(client, auth, officer, trial_case):
    setup = trial_case()
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment",
                                        sentence_months=60)
    operations.update_outcome(officer, outcome, sentence_months=72)
    operations.update_outcome(officer, outcome, verdict="other", sentence_kind=None, sentence_months=None)
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/outcomes/case/{setup.case.id}").get_data(as_text=True)
    assert "Verdict recorded: verdict convicted; sentence imprisonment; length in months 60" in page
    assert "Sentence changed: length in months 60 → 72" in page
    assert "Verdict changed: verdict convicted → other; sentence imprisonment removed; length in months 72 removed" \
        in page
    assert "Verdict: Verdict" not in page and "— →" not in page


def test_a_custody_change_and_a_risk_level_are_chosen_never_preset(client, auth, officer, trial_case):
    setup = trial_case()
    outcome = operations.record_outcome(officer, setup.defendant, verdict="convicted", sentence_kind="imprisonment",
                                        sentence_months=12)
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/outcomes/{outcome.id}/custody").get_data(as_text=True)
    assert _selected(page, "custody") in ([], [""]) and ">Choose…<" in page
    refused = client.post(f"/outcomes/{outcome.id}/custody", data={"custody": "", "on": past(1).isoformat()})
    assert "Choose released, recalled, escaped, transferred or died." in refused.get_data(as_text=True)
    assert db.session.get(Outcome, outcome.id).custody is None
    form = client.get(f"/witnesses/{setup.witness.id}/risk-assessments/new").get_data(as_text=True)
    assert _selected(form, "level") in ([], [""])
    refused = client.post(f"/witnesses/{setup.witness.id}/risk-assessments/new", data={
        "stage": "trial", "level": "", "assessed_on": past(0).isoformat(), "next_review_on": future(30).isoformat()})
    assert "Choose low, medium, high or critical." in refused.get_data(as_text=True)

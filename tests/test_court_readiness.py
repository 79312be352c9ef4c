"""Readiness for trial: one blocker at a time, the dashboard, and its fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import future, past
from witness_support.aids import operations as aid_ops
from witness_support.aids.models import TestimonialAid
from witness_support.cases import operations as case_ops
from witness_support.court import operations as court_ops
from witness_support.court import readiness
from witness_support.court.models import CourtEvent
from witness_support.custody import operations as custody_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.services import operations as services_ops
from witness_support.witnesses import operations as witness_ops


@dataclass
class Setup:
    case: object
    witness: object
    trial: CourtEvent
    visit: CourtEvent
    supporter: object


@pytest.fixture
def ready(officer, support_person, make_case, make_witness, make_journey, make_event, assess) -> Setup:
    """A witness who is ready for a trial day in 30 days: each test then breaks one thing."""
    case = make_case()
    witness = make_witness(participation="participating", date_of_birth=date(1990, 1, 1))
    make_journey(witness, case)
    assess(witness, "trial")
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    visit = make_event(case, [witness], kind="familiarisation_visit", days=-3)
    court_ops.mark_event_held(officer, visit)
    trial = make_event(case, [witness], kind="trial_day", days=30)
    court_ops.assign_attendance(officer, trial, witness, support_person)
    for topic in ("court_process", "testimonial_aids"):
        services_ops.record_information(officer, witness, topic=topic, method="both",
                                        language=witness.preferred_language)
    db.session.commit()
    return Setup(case, witness, trial, visit, support_person)


def _codes(setup: Setup) -> list[str]:
    [trial] = readiness.case_readiness(setup.case)
    [witness] = trial.witnesses
    return [b.code for b in witness.blockers]


def test_baseline_is_ready(ready):
    [trial] = readiness.case_readiness(ready.case)
    assert (trial.ready_count, trial.total, trial.state) == (1, 1, "ready")


def test_blocker_no_current_trial_risk_assessment(app, ready, assess, make_witness):
    app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"] = 0  # the assessment made today still counts
    assert _codes(ready) == []
    db.session.execute(sa.text("UPDATE risk_assessments SET assessed_on = :d"), {"d": past(31)})
    app.config["RISK_ASSESSMENT_MAX_AGE_DAYS"] = 30
    db.session.commit()
    assert _codes(ready) == ["risk_assessment"]


def test_blocker_participation(officer, ready):
    witness_ops.update_witness(officer, ready.witness, participation="undecided")
    assert _codes(ready) == ["participation"]
    witness_ops.update_witness(officer, ready.witness, participation="withdrawn")
    blockers = readiness.case_readiness(ready.case)[0].witnesses[0].blockers
    assert blockers[0].message == (f"Participation withdrawn: {ready.witness.reference} "
                                   "has withdrawn from the prosecution.")
    assert blockers[0].link.endswith(f"/witnesses/{ready.witness.id}/edit")


def test_blocker_reflection_period_not_over(officer, ready):
    witness_ops.update_witness(officer, ready.witness, reflection_start=past(20), reflection_end=future(3))
    assert _codes(ready) == ["reflection_period"]
    witness_ops.update_witness(officer, ready.witness, reflection_start=past(40), reflection_end=past(1))
    assert _codes(ready) == []


def test_blocker_aid_undecided_close_to_the_first_trial_day(app, officer, ready):
    aid = aid_ops.propose_aid(officer, ready.witness, ready.case, "screen")
    db.session.commit()
    assert _codes(ready) == []  # 30 days to go: not yet a blocker
    app.config["AID_DEADLINE_DAYS"] = 31
    assert _codes(ready) == ["aid_pending"]
    aid_ops.change_aid_status(officer, aid, "applied")
    assert _codes(ready) == ["aid_pending"]
    aid_ops.change_aid_status(officer, aid, "granted")
    assert _codes(ready) == []


def test_aid_blocker_names_each_undecided_aid_of_this_case_only(app, officer, ready, make_case, make_journey):
    app.config["AID_DEADLINE_DAYS"] = 31
    aid_ops.propose_aid(officer, ready.witness, ready.case, "video_link")
    screen = aid_ops.propose_aid(officer, ready.witness, ready.case, "screen")
    aid_ops.change_aid_status(officer, screen, "applied")
    other = make_case()
    make_journey(ready.witness, other)
    aid_ops.propose_aid(officer, ready.witness, other, "intermediary")  # another case: not this trial's
    db.session.commit()
    [blocker] = readiness.case_readiness(ready.case)[0].witnesses[0].blockers
    assert blocker.code == "aid_pending"
    assert blocker.message.endswith(": screen (applied), video link (needed).")


def test_aid_deadline_counts_from_the_first_trial_day(app, officer, ready, make_event):
    aid_ops.propose_aid(officer, ready.witness, ready.case, "screen")
    make_event(ready.case, [ready.witness], kind="trial_day", days=5)  # an earlier first day
    db.session.commit()
    trials = readiness.case_readiness(ready.case)
    assert [t.event.id for t in trials][1] == ready.trial.id
    assert all("aid_pending" in [b.code for b in w.blockers] for t in trials for w in t.witnesses)


def test_blocker_no_support_person_at_the_trial_day(officer, ready, make_event):
    other_day = make_event(ready.case, [ready.witness], kind="trial_day", days=31)
    trials = {t.event.id: t for t in readiness.case_readiness(ready.case)}
    assert [b.code for b in trials[other_day.id].witnesses[0].blockers] == ["no_support_person"]
    assert trials[ready.trial.id].witnesses[0].ready


def test_ending_the_assignment_makes_attendance_not_count(officer, ready):
    assignment = ready.witness.assignments[-1]
    assert assignment.role == "support_worker"
    witness_ops.end_assignment(officer, assignment)
    assert _codes(ready) == ["no_support_person"]


def test_blocker_interpreter_needed_but_none_booked(officer, make_user, ready):
    witness_ops.update_witness(officer, ready.witness, interpreter_language="Khmer")
    assert _codes(ready) == ["no_interpreter"]
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, ready.witness, interpreter, "interpreter")
    court_ops.assign_attendance(officer, ready.trial, ready.witness, interpreter)
    assert _codes(ready) == []


def test_interpreter_alone_is_not_support(officer, make_user, ready):
    ready.trial.attendance[0].role = "interpreter"  # booked as interpreter only
    db.session.commit()
    assert _codes(ready) == ["no_support_person"]


def test_blocker_no_familiarisation_visit_held(officer, ready):
    db.session.execute(sa.update(CourtEvent).where(CourtEvent.id == ready.visit.id).values(status="scheduled"))
    db.session.commit()
    assert _codes(ready) == ["no_familiarisation_visit"]


def test_only_the_witness_own_visit_in_this_case_counts(officer, ready, make_case, make_witness, make_journey,
                                                        make_event):
    """A visit held for another witness of the case, or for this witness in another case, is not
    this witness's familiarisation for this trial."""
    db.session.execute(sa.update(CourtEvent).where(CourtEvent.id == ready.visit.id).values(status="scheduled"))
    other = make_witness()
    make_journey(other, ready.case)
    court_ops.mark_event_held(officer, make_event(ready.case, [other], kind="familiarisation_visit", days=-2))
    elsewhere = make_case()
    make_journey(ready.witness, elsewhere)
    court_ops.mark_event_held(officer, make_event(elsewhere, [ready.witness], kind="familiarisation_visit", days=-2))
    db.session.commit()
    assert _codes(ready) == ["no_familiarisation_visit"]


def test_blocker_child_without_guardian(officer, ready):
    witness_ops.update_witness(officer, ready.witness, date_of_birth=date(today_year() - 15, 1, 1))
    # Becoming a child proposed the child aids (not yet a blocker, 30 days out); only the guardian blocks.
    assert db.session.execute(sa.select(sa.func.count()).select_from(TestimonialAid)).scalar() == 3
    assert _codes(ready) == ["child_without_guardian"]
    witness_ops.assign_support(officer, ready.witness, ready.supporter, "guardian")
    assert _codes(ready) == []


def today_year() -> int:
    return date.today().year


def test_every_blocker_has_code_message_and_link(officer, make_case, make_witness, make_journey, make_event):
    case = make_case()
    witness = make_witness(presumed_child=True, interpreter_language="Thai",
                           reflection_start=past(1), reflection_end=future(10))
    make_journey(witness, case)
    make_event(case, [witness], kind="trial_day", days=5, reflection_override_reason="Court's date.")
    [trial] = readiness.case_readiness(case)
    blockers = trial.witnesses[0].blockers
    assert {b.code for b in blockers} == {
        "risk_assessment", "participation", "reflection_period", "aid_pending", "no_support_person",
        "no_interpreter", "no_familiarisation_visit", "child_without_guardian", "not_explained"}
    assert all(b.message for b in blockers)
    event = trial.event
    assert {b.code: b.link for b in blockers} == {
        "risk_assessment": f"/witnesses/{witness.id}/risk-assessments/new",
        "participation": f"/witnesses/{witness.id}/edit",
        "reflection_period": f"/witnesses/{witness.id}",
        "aid_pending": f"/witnesses/{witness.id}/aids",
        "no_support_person": f"/court-events/{event.id}#attendance",
        "no_interpreter": f"/court-events/{event.id}#attendance",
        "no_familiarisation_visit": f"/cases/{case.id}/court-events/new?kind=familiarisation_visit",
        "child_without_guardian": f"/witnesses/{witness.id}/assignments/new",
        "not_explained": f"/witnesses/{witness.id}/services/information/new",
    }
    assert trial.state == "not_ready"


def _trials(prosecutor, make_case, make_witness, make_journey, make_event, count: int) -> None:
    for index in range(count):
        case = make_case(by=prosecutor)
        for _ in range(2):
            witness = make_witness()
            make_journey(witness, case)
        make_event(case, [j.witness for j in case.journeys], kind="trial_day", days=1 + index % 50)


def test_dashboard_query_count_does_not_grow_with_rows(
    app, client, auth, prosecutor, make_user, make_case, make_witness, make_journey, make_event, count_queries
):
    busy = make_user("prosecutor")
    _trials(prosecutor, make_case, make_witness, make_journey, make_event, 2)
    _trials(busy, make_case, make_witness, make_journey, make_event, 20)
    counts, bodies = [], []
    for email in (prosecutor.email, busy.email):
        auth.login(email)
        db.session.remove()  # the test and its requests share a session: start each from an empty one
        with count_queries() as statements:
            response = client.get("/court/readiness")
        assert response.status_code == 200
        counts.append(len(statements))
        bodies.append(response.get_data(as_text=True))
        auth.logout()
    assert [body.count("0/2 ready") for body in bodies] == [2, 20]
    # user with session, caseload size, the trial days, their witnesses with every readiness input,
    # and the remedies' permits and pending charges (one statement for all the witnesses)
    assert counts == [5, 5]


def test_prosecutor_home_shows_the_ten_soonest_trial_days_and_links_to_the_rest(
    app, client, auth, prosecutor, make_case, make_witness, make_journey, make_event
):
    _trials(prosecutor, make_case, make_witness, make_journey, make_event, 12)
    auth.login(prosecutor)
    home = client.get("/").get_data(as_text=True)
    assert home.count("<td>0/2</td>") == 10
    assert "These are the 10 soonest trial days" in home
    assert client.get("/court/readiness").get_data(as_text=True).count("0/2 ready") == 12


def test_dashboard_window_order_and_visibility(app, prosecutor, make_user, make_case, make_event):
    mine_late, mine_soon = make_case(by=prosecutor), make_case(by=prosecutor)
    late = make_event(mine_late, kind="trial_day", days=40)
    soon = make_event(mine_soon, kind="trial_day", days=3)
    make_event(mine_soon, kind="trial_day", days=61)  # outside the 60-day window
    make_event(mine_soon, kind="mention", days=4)  # not a trial day
    cancelled = make_event(mine_soon, kind="trial_day", days=5)
    court_ops.cancel_event(prosecutor, cancelled, "Vacated.")
    make_event(make_case(by=make_user("prosecutor")), kind="trial_day", days=2)  # not my case
    db.session.commit()
    trials = readiness.dashboard(prosecutor)
    assert [t.event.id for t in trials] == [soon.id, late.id]
    assert trials[0].state == "no_witnesses"


def test_a_defendant_at_large_is_a_warning_not_a_blocker(app, client, auth, officer, ready):
    defendant = case_ops.add_defendant(officer, ready.case, name="Dodi Fugitive", custody_status="remanded")
    db.session.commit()
    [trial] = readiness.case_readiness(ready.case)
    assert trial.warnings == []
    custody_ops.record_custody_event(officer, defendant, kind="escaped", occurred_at=utc_now() - timedelta(hours=1),
                                     source="Prison governor")
    db.session.commit()
    [trial] = readiness.case_readiness(ready.case)
    assert [w.code for w in trial.warnings] == ["defendant_at_large"]
    assert (trial.ready_count, trial.state) == (1, "ready")  # nobody is less ready for it
    auth.login(officer)
    page = client.get(f"/cases/{ready.case.id}/readiness").get_data(as_text=True)
    assert "A defendant is at large: plan the witnesses&#39; safety at court." in page

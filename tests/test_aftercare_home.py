"""The liaison officer's home page lists the witnesses whose journey closed but who stay enrolled for
offender notices, with what is due: a release approaching, a parole hearing, an undelivered notice,
an open task. Only the officer's own (and the unassigned ones they answer for), only witnesses they
may see, in a fixed number of statements."""

from __future__ import annotations

import re

from tests.helpers import CANARY_OFFENDER, future, review_before_closing
from witness_support.cases import operations as case_ops
from witness_support.custody import operations as custody_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.tasks.operations import create_task


def _closed(officer, make_case, make_journey, make_witness, *, stay_enrolled: bool = True, release_in: int | None = 20,
            by=None):  # noqa: ANN001, ANN202
    """A closed journey in a case whose defendant is sentenced with a release in `release_in` days."""
    actor = by or officer
    case = make_case(by=actor, court_timezone="UTC")
    defendant = case_ops.add_defendant(actor, case, name=f"{CANARY_OFFENDER}-a", custody_status="remanded")
    db.session.commit()
    journey = make_journey(witness=make_witness(by=actor), case=case, by=actor)
    review_before_closing(actor, journey)
    custody_ops.close_journey(actor, journey, reason="Trial over", stay_enrolled=stay_enrolled)
    if release_in is not None:
        custody_ops.record_custody_event(actor, defendant, kind="sentenced", source="Court record",
                                         occurred_at=utc_now(), release_date=future(release_in))
    db.session.commit()
    return journey


def _panel(client) -> str:  # noqa: ANN001
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<section aria-labelledby="aftercare-title".*?</section>', page, re.S)
    assert match, "the aftercare panel is on the officer's home page"
    return match.group(0)


def test_an_enrolled_witness_with_a_release_in_20_days_is_listed_with_a_link(
    client, auth, officer, make_case, make_journey, make_witness
):
    enrolled = _closed(officer, make_case, make_journey, make_witness)
    auth.login(officer)
    panel = _panel(client)
    witness = enrolled.witness
    assert f'href="/witnesses/{witness.id}"' in panel
    assert witness.reference in panel
    assert f"a release on {future(20).isoformat()}, in 20 days" in panel
    assert "Invented Person" not in panel  # the reference, never the name


def test_an_opted_out_witness_and_one_with_nothing_due_are_not_listed(
    client, auth, officer, make_case, make_journey, make_witness
):
    opted_out = _closed(officer, make_case, make_journey, make_witness, stay_enrolled=False)
    quiet = _closed(officer, make_case, make_journey, make_witness, release_in=200)  # beyond the reminder window
    auth.login(officer)
    panel = _panel(client)
    assert opted_out.witness.reference not in panel
    assert quiet.witness.reference not in panel
    assert "No enrolled witness with a closed journey has anything due." in panel


def test_another_officers_witness_is_not_listed(
    client, auth, officer, make_user, make_case, make_journey, make_witness
):
    other = make_user("liaison_officer", display_name="Other Officer")
    theirs = _closed(officer, make_case, make_journey, make_witness, by=other)
    auth.login(officer)
    assert theirs.witness.reference not in _panel(client)
    auth.logout()
    auth.login(other)
    assert theirs.witness.reference in _panel(client)


def test_a_hearing_and_an_open_task_are_due_too(client, auth, officer, make_case, make_journey, make_witness):
    journey = _closed(officer, make_case, make_journey, make_witness, release_in=None)
    defendant = journey.case.defendants[0]
    custody_ops.record_custody_event(officer, defendant, kind="parole_hearing", source="Parole board",
                                     occurred_at=utc_now(), hearing_on=future(10))
    db.session.commit()
    auth.login(officer)
    panel = _panel(client)
    assert f"a parole or licence hearing on {future(10).isoformat()}" in panel
    # The hearing's entry raised a risk review on the witness already; one more task counts too.
    assert "; 1 open task<" in panel.replace("</li>", "<")
    create_task(officer, "check_in", f"Call {journey.witness.reference}", witness_id=journey.witness_id,
                case_id=journey.case_id)
    db.session.commit()
    assert "; 2 open tasks" in _panel(client)


def test_the_team_inbox_sees_the_aftercare_of_a_witness_whose_officer_left(
    app, client, auth, officer, make_user, make_case, make_journey, make_witness
):
    leaver = make_user("liaison_officer", display_name="Leaving Officer")
    journey = _closed(officer, make_case, make_journey, make_witness, by=leaver)
    inbox = make_user("liaison_officer", email="aftercare-team@example.test")
    app.config["AFTERCARE_TEAM_EMAIL"] = "aftercare-team@example.test"
    # Both officers work on the case (so both may see its witness); the witness's officer leaves.
    for user in (officer, inbox):
        case_ops.assign_to_case(leaver, journey.case, user)
    leaver.active = False
    db.session.commit()
    auth.login(officer)  # on the case, so sees the witness, but neither their officer nor the team inbox
    assert journey.witness.reference not in _panel(client)
    auth.logout()
    auth.login(inbox)
    assert journey.witness.reference in _panel(client)


def test_the_home_page_runs_the_same_statements_for_one_or_many_enrolled_witnesses(
    client, auth, officer, make_case, make_journey, make_witness, count_queries
):
    _closed(officer, make_case, make_journey, make_witness)
    auth.login(officer)
    client.get("/")  # warm: first-request look-ups are not the page's
    with count_queries() as one:
        assert client.get("/").status_code == 200
    for _ in range(3):
        _closed(officer, make_case, make_journey, make_witness)
    with count_queries() as four:
        page = client.get("/").get_data(as_text=True)
    assert page.count("a release on ") == 4
    assert len(four) == len(one)


def test_a_broad_caseload_lists_the_same_rows_in_the_same_order(
    app, monkeypatch, officer, make_user, make_case, make_journey, make_witness
):
    from witness_support import access
    from witness_support.db import today_utc
    from witness_support.notifications.aftercare import aftercare_due

    soon = _closed(officer, make_case, make_journey, make_witness, release_in=5)
    later = _closed(officer, make_case, make_journey, make_witness, release_in=25)
    other = make_user("liaison_officer")
    _closed(officer, make_case, make_journey, make_witness, by=other)

    def rows() -> list[int]:
        return [r.witness_id for r in aftercare_due(officer, today_utc(), utc_now())]

    narrow = rows()
    monkeypatch.setattr(access, "BROAD_CASELOAD", 0)  # the two-stream path of access.first_visible
    assert rows() == narrow == [soon.witness_id, later.witness_id]


def test_another_cases_ended_sentence_does_not_end_this_cases_enrolment(
    client, auth, officer, make_case, make_journey, make_witness
):
    from datetime import timedelta

    from witness_support.db import today_utc
    from witness_support.outcomes import operations as outcome_ops

    # This case: no sentence end recorded yet, a parole hearing coming.
    here = _closed(officer, make_case, make_journey, make_witness, release_in=None)
    custody_ops.record_custody_event(officer, here.case.defendants[0], kind="parole_hearing", source="Parole board",
                                     occurred_at=utc_now(), hearing_on=future(12))
    # Another case whose sentence ended yesterday: its enrolment is over, this one's is not.
    there = _closed(officer, make_case, make_journey, make_witness, release_in=None)
    outcome = outcome_ops.record_outcome(officer, there.case.defendants[0], verdict="convicted",
                                         sentence_kind="imprisonment", sentence_months=12,
                                         proposed_release_date=today_utc() + timedelta(days=1))
    outcome.proposed_release_date = today_utc() - timedelta(days=1)
    custody_ops.record_custody_event(officer, there.case.defendants[0], kind="parole_hearing",
                                     source="Parole board", occurred_at=utc_now(), hearing_on=future(12))
    db.session.commit()
    auth.login(officer)
    panel = _panel(client)
    assert here.witness.reference in panel
    assert there.witness.reference not in panel

"""The interface pieces without a browser: the witness timeline (its contents, need-to-know and fixed
number of queries), the court calendar (per role, filters, marks), the officer's week on the home page,
and forms that keep what was typed when they refuse it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import past
from witness_support.access import visible_case_ids
from witness_support.aids import operations as aid_ops
from witness_support.cases import operations as case_ops
from witness_support.contacts import operations as contact_ops
from witness_support.court import calendar
from witness_support.court import operations as court_ops
from witness_support.extensions import db
from witness_support.main.timeline import witness_timeline
from witness_support.outcomes import operations as outcome_ops
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def story(officer, prosecutor, support_person, make_case, make_witness, make_journey, make_event, assess):
    case = make_case()
    case_ops.assign_to_case(officer, case, prosecutor)
    witness = make_witness(participation="participating", date_of_birth=date(1990, 1, 1))
    make_journey(witness, case)
    assess(witness, "pre_trial", level="high")
    assess(witness, "trial", level="medium")
    witness_ops.assign_support(officer, witness, support_person, "interpreter")
    trial = make_event(case, [witness], kind="trial_day", days=10)
    mention = make_event(case, [witness], kind="mention", days=3)
    court_ops.cancel_event(officer, mention, "Not needed")
    visit = make_event(case, [witness], kind="familiarisation_visit", days=-2)
    contact_ops.record_attendance_outcome(officer, visit.required[0], outcome="did_not_attend", reason="Bus strike")
    contact_ops.log_contact(officer, witness, occurred_at=visit.starts_at - timedelta(days=1), channel="call",
                            summary="Reminded the witness of the visit")
    aid = aid_ops.propose_aid(officer, witness, case, "screen")
    aid_ops.change_aid_status(officer, aid, "applied")
    aid_ops.change_aid_status(officer, aid, "granted", order_reference="ORD-9")
    defendant = case_ops.add_defendant(officer, case, name="Invented Defendant", custody_status="remanded")
    outcome_ops.record_outcome(officer, defendant, verdict="convicted")
    db.session.commit()
    return {"case": case, "witness": witness, "trial": trial, "mention": mention}


def _titles(user, witness) -> list[str]:  # noqa: ANN001
    from witness_support.db import utc_now

    return [e.title for e in witness_timeline(user, witness, utc_now())]


def test_timeline_tells_the_story_in_order(app, officer, story):
    with app.test_request_context():
        entries = witness_timeline(officer, story["witness"], story["trial"].starts_at - timedelta(days=20))
        titles = [e.title for e in entries]
    ref = story["case"].reference
    assert f"Linked to case {ref}: pre-trial" in titles
    assert "Risk assessed: high (pre-trial stage)" in titles
    assert "Aid granted: screen" in titles
    assert "Notice queued: verdict" in titles
    assert f"Mention — cancelled ({ref})" in titles
    assert f"Trial day ({ref})" in titles
    assert f"Court attendance: did not attend (familiarisation visit, {ref})" in titles
    assert "Contact: call with the witness" in titles
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    granted = next(e for e in entries if e.title == "Aid granted: screen")
    assert granted.detail == "Order ORD-9"


def test_timeline_shows_each_kind_only_to_those_who_may_see_it(app, support_person, prosecutor, story):
    with app.test_request_context():
        support = _titles(support_person, story["witness"])
        prosecution = _titles(prosecutor, story["witness"])
    # A support person sees stages and risk, not court events of cases, aids or notices.
    assert any(t.startswith("Risk assessed") for t in support)
    hidden = ("Aid", "Notice", "Trial day", "Mention", "Court attendance", "Contact")
    assert not any(t.startswith(hidden) for t in support)
    assert any(t.startswith("Aid granted") for t in prosecution)
    assert any(t.startswith("Notice") for t in prosecution)
    # The prosecution sees how attendance went, not the contact log (the contact field group).
    assert any(t.startswith("Court attendance") for t in prosecution)
    assert not any(t.startswith("Contact") for t in prosecution)


def test_timeline_query_count_does_not_grow_with_rows(app, client, auth, officer, story, make_event, assess,
                                                      count_queries):
    from witness_support.auth.models import User
    from witness_support.cases.models import Case
    from witness_support.witnesses.models import Witness

    witness_id, case_id, email, officer_id = story["witness"].id, story["case"].id, officer.email, officer.id
    counts = []
    for _ in range(2):
        auth.login(email)
        db.session.remove()
        with count_queries() as statements:
            response = client.get(f"/witnesses/{witness_id}")
        assert response.status_code == 200
        counts.append(len(statements))
        auth.logout()
        # More of every kind of entry.
        witness, case = db.session.get(Witness, witness_id), db.session.get(Case, case_id)
        actor = db.session.get(User, officer_id)
        for days in (12, 13, 14):
            make_event(case, [witness], kind="trial_day", days=days, by=actor)
            past = make_event(case, [witness], kind="mention", days=-days, by=actor)
            contact_ops.record_attendance_outcome(actor, past.required[0], outcome="attended")
            contact_ops.log_contact(actor, witness, occurred_at=past.starts_at, channel="visit", summary="Visited")
        assess(witness, "trial", level="low", by=actor)
    assert counts[0] == counts[1]
    assert "Journey timeline" in response.get_data(as_text=True)


def test_witness_page_shows_the_timeline_pseudonymously_to_a_support_person(client, auth, support_person, story):
    auth.login(support_person)  # an interpreter: no identity
    body = client.get(f"/witnesses/{story['witness'].id}").get_data(as_text=True)
    assert "Journey timeline" in body and story["witness"].reference in body
    assert story["witness"].legal_name not in body


# ---- the court calendar ------------------------------------------------------------------------------


def test_calendar_per_role(client, auth, officer, prosecutor, support_person, make_user, story):
    assert client.get("/court/calendar").status_code == 302  # anonymous: to the login page
    for user in (officer, prosecutor):
        auth.login(user)
        body = client.get(f"/court/calendar?date={story['trial'].starts_at.date().isoformat()}")
        assert body.status_code == 200 and story["case"].reference in body.get_data(as_text=True)
        auth.logout()
    auth.login(support_person)
    assert client.get("/court/calendar").status_code == 404
    auth.logout()
    auth.login(make_user("liaison_officer"))  # not on the case: sees the calendar, not the events
    body = client.get(f"/court/calendar?view=week&date={story['trial'].starts_at.date().isoformat()}")
    assert body.status_code == 200 and story["case"].reference not in body.get_data(as_text=True)


@pytest.mark.parametrize("query", ["date=2026-13-40", "date=x&view=year", "case=abc&person=-1", "case=99999999999",
                                   "court=" + "x" * 500])
def test_calendar_ignores_bad_filters(client, auth, officer, story, query):
    auth.login(officer)
    assert client.get(f"/court/calendar?{query}").status_code == 200


def test_calendar_marks_moves_cancellations_and_double_bookings(app, officer, support_person, story, make_witness,
                                                                make_journey, make_event):
    case, witness = story["case"], story["witness"]
    other = make_witness()
    make_journey(other, case)
    witness_ops.assign_support(officer, other, support_person, "interpreter")
    first = story["trial"]
    clash = make_event(case, [other], kind="pre_trial_hearing", days=10, hour=10, hours=2)
    court_ops.assign_attendance(officer, first, witness, support_person)
    court_ops.assign_attendance(officer, clash, other, support_person, override_reason="Only interpreter")
    court_ops.move_event(officer, clash, starts_at=clash.starts_at + timedelta(minutes=30),
                         ends_at=clash.ends_at + timedelta(minutes=30), reason="Court room change")
    db.session.commit()
    day = first.starts_at.date()
    with app.test_request_context():
        for view in ("month", "week"):
            cal = calendar.build(visible_case_ids(officer), view, day)
            items = {i.event.id: i for week in cal.weeks for d in week for i in d.events}
            assert items[first.id].double_booked == [support_person.display_name]
            assert items[clash.id].double_booked == [support_person.display_name]
            assert cal.conflicts == 2
        mention = story["mention"]
        week = calendar.build(visible_case_ids(officer), "week", mention.starts_at.date())
        listed = [i.event for w in week.weeks for d in w for i in d.events]
        assert mention in listed and mention.status == "cancelled"  # still shown, marked cancelled
        only_clash = calendar.build(visible_case_ids(officer), "week", day, person_id=support_person.id)
        ids = {i.event.id for week in only_clash.weeks for d in week for i in d.events}
        assert ids == {first.id, clash.id}
        assert not calendar.build(visible_case_ids(officer), "week", day, court="Elsewhere").count


def test_calendar_periods():
    assert calendar.period("week", date(2026, 12, 3))[:2] == (date(2026, 11, 30), date(2026, 12, 7))
    start, end, previous, following = calendar.period("month", date(2026, 2, 14))
    assert (start, end, previous, following) == (date(2026, 1, 26), date(2026, 3, 2), date(2026, 1, 1),
                                                 date(2026, 3, 1))
    assert (end - start).days % 7 == 0


# ---- home pages --------------------------------------------------------------------------------------


def test_officer_home_lists_the_week_in_court(client, auth, officer, story, make_event):
    make_event(story["case"], [story["witness"]], kind="mention", days=2)
    auth.login(officer)
    body = client.get("/").get_data(as_text=True)
    assert "Court this week for your witnesses" in body
    assert "Mention, " + story["case"].reference in body
    assert "Trial day, " + story["case"].reference not in body  # ten days away: not this week


def test_support_person_home_has_a_place_for_the_calendar_link(app, client, auth, support_person):
    auth.login(support_person)
    body = client.get("/").get_data(as_text=True)
    assert "Your calendar" in body
    # The feeds area is installed, so the support person is offered the subscription.
    assert 'href="/calendar-feed"' in body
    assert "Subscribe to your court schedule in your calendar app" in body


# ---- forms keep what was typed -----------------------------------------------------------------------


def test_disclosure_record_refused_keeps_the_note(client, auth, prosecutor, story):
    auth.login(prosecutor)
    response = client.post(f"/cases/{story['case'].id}/disclosure/record",
                           data={"disclosed_on": "", "note": "Served on counsel by hand"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Served on counsel by hand" in body and 'href="#disclosed_on"' in body
    ok = client.post(f"/cases/{story['case'].id}/disclosure/record",
                     data={"disclosed_on": past(0).isoformat(), "note": "Served"})
    assert ok.status_code == 302


def test_event_form_says_which_clock(client, auth, officer, story):
    auth.login(officer)
    body = client.get(f"/cases/{story['case'].id}/court-events/new").get_data(as_text=True)
    assert "Court time, Asia/Jakarta" in body and 'aria-describedby="starts_at-hint"' in body


def test_officer_home_week_only_from_their_cases(client, auth, officer, make_user, story, make_event):
    make_event(story["case"], [story["witness"]], kind="mention", days=2)
    outsider = make_user("liaison_officer")
    witness_ops.assign_support(officer, story["witness"], outsider, "liaison_officer")  # the witness, not the case
    db.session.commit()
    auth.login(outsider)
    body = client.get("/").get_data(as_text=True)
    assert "Court this week for your witnesses" in body
    assert "Mention, " + story["case"].reference not in body

"""The interpreter, one answer everywhere: the event page, readiness, the support person's schedule
and the calendar feed name the same language and agree on whether one is booked."""

from __future__ import annotations

import re

import pytest

from witness_support.court import operations as court_ops
from witness_support.court import readiness
from witness_support.extensions import db
from witness_support.feeds import ical
from witness_support.feeds import operations as feed_ops
from witness_support.witnesses import operations as witness_ops


@pytest.fixture
def booked_world(officer, support_person, make_user, make_case, make_witness, make_journey, make_event):
    case = make_case()
    witness = make_witness(participation="participating", interpreter_language="Thai")
    make_journey(witness, case)
    trial = make_event(case, [witness], kind="trial_day", days=30)
    witness_ops.assign_support(officer, witness, support_person, "support_worker")
    court_ops.assign_attendance(officer, trial, witness, support_person)
    db.session.commit()
    return case, witness, trial


def _said(client, auth, officer, support_person, case, event) -> dict[str, str]:  # noqa: ANN001
    """What each place says about the interpreter for the event's one witness."""
    auth.login(officer)
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    event_page = re.search(r"<dt>Interpreter</dt><dd>(.*?)</dd>", page).group(1)
    auth.logout()
    auth.login(support_person)
    schedule = client.get("/court/schedule").get_data(as_text=True)
    schedule_line = re.search(r"Interpreter: ([^.]*)\.", schedule).group(1)
    auth.logout()
    [member] = feed_ops.feed_members(support_person)
    feed = ical.render_calendar([member], "witness.test").replace("\r\n ", "")
    feed_line = re.search(r"Interpreter: (.*?)(?:\\n|\r\n)", feed).group(1)
    [trial] = readiness.case_readiness(case)  # the one trial day
    blockers = [b.message for w in trial.witnesses for b in w.blockers if b.code == "no_interpreter"]
    return {"event page": event_page, "schedule": schedule_line, "feed": feed_line.replace("\\,", ","),
            "readiness": blockers[0] if blockers else "no blocker"}


def test_every_place_says_the_same_language_and_booking(client, auth, officer, support_person, make_user,
                                                        booked_world):
    case, witness, trial = booked_world
    said = _said(client, auth, officer, support_person, case, trial)
    assert said == {"event page": "Thai, not booked yet", "schedule": "Thai, not booked yet",
                    "feed": "Thai, not booked yet",
                    "readiness": "An interpreter for Thai is needed but none is booked."}
    before = feed_ops.feed_fingerprint(support_person)
    interpreter = make_user("support_person", display_name="Ines Interpreter")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    court_ops.assign_attendance(officer, trial, witness, interpreter)
    db.session.commit()
    assert feed_ops.feed_fingerprint(support_person) != before  # calendar apps fetch the new words
    said = _said(client, auth, officer, support_person, case, trial)
    assert said == {"event page": "Thai, booked", "schedule": "Thai, booked", "feed": "Thai, booked",
                    "readiness": "no blocker"}


def test_the_event_language_stands_in_for_a_witness_without_one_and_none_reads_not_needed(
    client, auth, officer, support_person, booked_world
):
    case, witness, trial = booked_world
    witness_ops.update_witness(officer, witness, interpreter_language="")
    db.session.commit()
    said = _said(client, auth, officer, support_person, case, trial)
    assert set(said.values()) <= {"Not needed", "not needed", "no blocker"}
    assert said["event page"] == "Not needed" and said["feed"] == "not needed"
    court_ops.update_event_details(officer, trial, interpreter_language="Khmer")
    db.session.commit()
    said = _said(client, auth, officer, support_person, case, trial)
    assert said["event page"] == said["schedule"] == said["feed"] == "Khmer, not booked yet"
    assert said["readiness"] == "An interpreter for Khmer is needed but none is booked."

"""A witness's timeline is told in one time zone, named on the page: stages, court events and
notices (which were in UTC) read in order."""

from __future__ import annotations

import re

from witness_support.extensions import db
from witness_support.notifications import operations as notify_ops
from witness_support.outcomes import operations as outcome_ops


def _timeline(page: str) -> str:
    return page.split('id="story-title"', 1)[1].split("</section>", 1)[0]


def test_every_time_on_the_timeline_is_in_the_courts_zone_and_the_zone_is_named(client, auth, officer, trial_case):
    setup = trial_case()  # a case at a court in Asia/Jakarta (WIB, UTC+7)
    notify_ops.set_preferences(officer, setup.witness, language="en", channel="email",
                               email="safe@example.test", contact_is_safe=True)
    outcome_ops.record_outcome(officer, setup.defendant, verdict="acquitted")  # queues notices
    db.session.commit()
    auth.login(officer)
    timeline = _timeline(client.get(f"/witnesses/{setup.witness.id}").get_data(as_text=True))
    assert "All times are in Asia/Jakarta (the court&#39;s time zone)." in timeline \
        or "All times are in Asia/Jakarta (the court's time zone)." in timeline
    assert "Notice queued" in timeline and "Moved to trial" in timeline
    times = re.findall(r"<time datetime=\"[^\"]*T[^\"]*\">([^<]+)</time>", timeline)
    assert times and all(t.endswith(" WIB") for t in times), times
    assert "UTC" not in timeline.replace("(the court", "")
    assert re.search(r"to be delivered by \w{3} \d{2} \w{3} \d{4} \d{2}:\d{2} WIB", timeline)


def test_a_witness_without_a_case_has_a_timeline_in_utc_said_so(client, auth, officer, make_witness, assess):
    witness = make_witness()
    assess(witness, "pre_trial")
    db.session.commit()
    auth.login(officer)
    timeline = _timeline(client.get(f"/witnesses/{witness.id}").get_data(as_text=True))
    assert "Risk assessed" in timeline and "All times are in UTC." in timeline

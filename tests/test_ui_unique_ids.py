"""Each page's ids are unique, and each label points at a box that exists: two forms on one page
sharing id="reason" made a label name the wrong box. Every page each demo role reaches by links is
checked by the crawl in tests/test_ui_links.py; this is the page that made it a rule."""

from __future__ import annotations

import re

from tests.crawl import page_problems


def test_the_event_pages_reason_boxes_each_have_their_own_label(client, auth, officer, make_case, make_witness,
                                                                make_journey, make_event):
    case = make_case()
    witness = make_witness()
    make_journey(witness, case)
    event = make_event(case, [witness], kind="mention", days=10)
    auth.login(officer)
    page = client.get(f"/court-events/{event.id}").get_data(as_text=True)
    assert '<label for="move-reason">Why it moved</label>' in page
    assert '<label for="cancel-reason">Why it was cancelled</label>' in page
    assert re.search(r'<textarea id="move-reason"[^>]* name="reason"', page)
    assert re.search(r'<textarea id="cancel-reason"[^>]* name="reason"', page)
    problems = page_problems(f"/court-events/{event.id}", page)
    assert problems == []
    # The boxes still send "reason": cancelling works as before.
    assert client.post(f"/court-events/{event.id}/cancel", data={"reason": "Adjourned sine die."}).status_code == 302

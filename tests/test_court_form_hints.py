"""The hint by a date field matches what the browser shows: the page cannot know whether the
browser shows day or month first, so the hint names no order, and gives the one typed format."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("page", ["new", "event"])
def test_time_hints_name_the_zone_and_no_order_of_day_and_month(client, auth, officer, make_case, make_witness,
                                                                make_journey, make_event, page):
    case = make_case()
    witness = make_witness()
    make_journey(witness, case)
    event = make_event(case, [witness], kind="mention", days=10)
    auth.login(officer)
    url = f"/cases/{case.id}/court-events/new" if page == "new" else f"/court-events/{event.id}"
    body = client.get(url).get_data(as_text=True)
    assert "Court time, Asia/Jakarta: the date and time as your browser shows them" in body
    assert "day, month, year" not in body and "dd/mm" not in body.lower()
    assert 'type="datetime-local"' in body

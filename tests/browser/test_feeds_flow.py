"""A support person subscribes to their court schedule: the Subscribe page, its links, and the feed."""

from __future__ import annotations

from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.auth import operations as auth_ops
from witness_support.extensions import db


def test_support_person_subscribes_to_their_schedule(page, live_app, live_url):
    auth_ops.create_user("ivy@example.test", role="support_person", password=PASSWORD, display_name="Ivy Interpreter")
    db.session.commit()

    login(page, "ivy@example.test", PASSWORD)
    page.get_by_role("link", name="Subscribe to this schedule in your calendar app").click()
    assert page.get_by_role("heading", name="Subscribe to your court schedule").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Create my feed link").click()
    https = page.get_by_label("Link for web calendars (https)").input_value()
    webcal = page.get_by_label("Link that opens your calendar app (webcal)").input_value()
    assert https.startswith("https://") and https.endswith(".ics") and "/feeds/" in https
    assert webcal == "webcal://" + https.removeprefix("https://")
    assert page.get_by_role("link", name="Open in my calendar app").get_attribute("href") == webcal
    assert_accessible(page)
    screenshot(page, "feeds-subscribe")

    # The link works (served here over plain http by the test server).
    feed = page.request.get(live_url + "/feeds/" + https.rsplit("/feeds/", 1)[1])
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.text().startswith("BEGIN:VCALENDAR\r\n")

    # Making a new link kills the old one at once.
    page.get_by_role("button", name="Make a new link (the old one stops working)").click()
    assert page.get_by_label("Link for web calendars (https)").input_value() != https
    assert page.request.get(live_url + "/feeds/" + https.rsplit("/feeds/", 1)[1]).status == 404

"""A support person subscribes to their court schedule: the Subscribe page, its links, and the feed."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.auth import operations as auth_ops
from witness_support.extensions import db


def test_support_person_subscribes_to_their_schedule(page, live_app, live_url):
    # The service's public address is the plain-http test server, as on a first local run.
    live_app.config["PUBLIC_BASE_URL"] = live_url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    auth_ops.create_user("ivy@example.test", role="support_person", password=PASSWORD, display_name="Ivy Interpreter")
    db.session.commit()

    login(page, "ivy@example.test", PASSWORD)
    page.get_by_role("link", name="Subscribe to this schedule in your calendar app").click()
    expect(page.get_by_role("heading", name="Subscribe to your court schedule")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Create my feed link").click()
    # Post/redirect/get: the browser is on the page itself, which shows the new link once.
    page.wait_for_url(live_url + "/calendar-feed")
    https = page.get_by_label("Link for web calendars").input_value()
    webcal = page.get_by_label("Link that opens your calendar app (webcal)").input_value()
    # In the scheme the service is configured with (here plain http), so the copied link works.
    assert https.startswith(live_url + "/feeds/") and https.endswith(".ics")
    assert webcal == "webcal://" + https.removeprefix("http://")
    page.get_by_role("button", name="Copy link").first.click()
    # The clipboard answers asynchronously: wait for the status line to say so.
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == https
    assert page.get_by_role("link", name="Open in my calendar app").get_attribute("href") == webcal
    assert_accessible(page)
    screenshot(page, "feeds-subscribe")

    # The link works (served here over plain http by the test server).
    feed = page.request.get(live_url + "/feeds/" + https.rsplit("/feeds/", 1)[1])
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.text().startswith("BEGIN:VCALENDAR\r\n")

    # Making a new link kills the old one at once.
    with page.expect_navigation():
        page.get_by_role("button", name="Make a new link (the old one stops working)").click()
    newer = page.get_by_label("Link for web calendars").input_value()
    assert newer != https
    # Reloading neither fails nor makes another link; the link is not shown a second time.
    page.reload()
    expect(page.get_by_text("It cannot be shown again")).to_be_visible()
    assert page.get_by_label("Link for web calendars").count() == 0
    assert page.request.get(live_url + "/feeds/" + newer.rsplit("/feeds/", 1)[1]).status == 200
    # Going back to where the link was made does not answer 405 either.
    page.go_back()
    assert "Method Not Allowed" not in page.content()
    assert page.request.get(live_url + "/feeds/" + https.rsplit("/feeds/", 1)[1]).status == 404

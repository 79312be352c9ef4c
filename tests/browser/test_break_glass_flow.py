"""Break-glass end to end: the on-call officer opens a witness who is not theirs by reference and
reason, the witness's officer is told and sees who has looked, the supervisor reviews it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops

ADDRESS = "Invented Safe House 9, Jalan Contoh"
REASON = "The witness rang the night line: someone followed her home"


def _sign_out(page) -> None:  # noqa: ANN001 - a Playwright page
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/login" in url)


def test_on_call_officer_breaks_glass_the_officer_is_told_the_supervisor_reviews(page, live_app):
    w = builders.world()
    witness_ops.update_witness(w.officer, w.witness, address=ADDRESS, contact_details="Invented phone 0800 000")
    supervisor = builders.user("supervisor@example.test", "liaison_officer", "Sue Supervisor")
    on_call = builders.user("oncall@example.test", "liaison_officer", "Omar Oncall")
    on_call.supervisor_id = supervisor.id
    db.session.commit()
    reference = w.witness.reference

    # The on-call officer cannot see the witness, and opens it from the break-glass page.
    login(page, "oncall@example.test", PASSWORD)
    assert page.goto(f"/witnesses/{w.witness.id}").status == 404
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Break-glass").click()
    page.get_by_label("Witness reference").fill(reference)
    page.get_by_role("button", name="Open this witness").click()
    expect(page.locator(".error-summary")).to_contain_text("State why")  # no reason: refused, said so
    assert_accessible(page)
    page.get_by_label("Why you need to open this witness").fill(REASON)
    page.get_by_role("button", name="Open this witness").click()
    expect(page.get_by_role("heading", name=reference, level=1)).to_be_visible()
    expect(page.get_by_text(ADDRESS)).to_be_visible()
    expect(page.get_by_text("Invented phone 0800 000")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    screenshot(page, "break-glass-opened")
    _sign_out(page)

    # The witness's own officer has an urgent task, reads the reason, and sees who has looked.
    login(page, "officer@example.test", PASSWORD)
    tasks = page.locator("section", has=page.get_by_role("heading", name="Your tasks"))
    tasks.get_by_role("link", name=f"Omar Oncall opened {reference} by break-glass for 4 hours").click()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_text("Waiting for Sue Supervisor")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/witnesses/{w.witness.id}")
    looked = page.locator("section", has=page.get_by_role("heading", name="Who has looked"))
    expect(looked.get_by_role("row", name="Omar Oncall")).to_contain_text("break-glass")
    assert_accessible(page)
    screenshot(page, "break-glass-who-has-looked")
    _sign_out(page)

    # The supervisor reviews it from their task; the task is then done.
    login(page, "supervisor@example.test", PASSWORD)
    tasks = page.locator("section", has=page.get_by_role("heading", name="Your tasks"))
    tasks.get_by_role("link", name=f"Review the break-glass on {reference} by Omar Oncall").click()
    expect(page.get_by_text(REASON)).to_be_visible()
    assert ADDRESS not in page.content()  # the review shows the reason, not the witness
    page.get_by_label("Review note").fill("Justified: the call is in the night log")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Reviewed by Sue Supervisor")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    expect(page.get_by_text(f"Review the break-glass on {reference}")).to_have_count(0)

"""An officer's day end to end: find a witness by part of her name typed without its accents, open
her, log a call with a follow-up, write a task for a colleague, upload an aid application; then the
officer goes on leave and an administrator hands the caseload over to the colleague, who now finds
the witnesses under their own name. Each step checks what the user sees."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, axe_sweep, login, track
from tests.helpers import PASSWORD, tiny_pdf
from witness_support.aids import operations as aid_ops
from witness_support.cases import operations as case_ops
from witness_support.db import today_utc
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops


def test_an_officers_day_from_search_to_handover(page, live_app):
    w = builders.world()
    colleague = builders.user("colleague@example.test", "liaison_officer", "Cody Colleague")
    admin = builders.user("admin@example.test", "admin", "Ann Admin")
    case_ops.assign_to_case(w.officer, w.case, colleague)
    dewi = witness_ops.create_witness(
        w.officer, legal_name="Dewi Anggraéni Santoso", preferred_language="Indonesian",
        date_of_birth=date(1988, 2, 3), participation="participating",
    )
    case_ops.start_journey(w.officer, w.case, dewi)
    aid = aid_ops.propose_aid(w.officer, dewi, w.case, "screen")
    db.session.commit()
    visited = track(page)

    login(page, "officer@example.test", PASSWORD)
    # Search by a middle token of the name, in another case and without its accent.
    page.goto("/witnesses")
    page.get_by_label("Name or reference").fill("ANGGRAENI")
    page.get_by_role("button", name="Find").click()
    results = page.locator("main table")
    expect(results.get_by_role("link", name=dewi.reference)).to_be_visible()
    expect(results.get_by_role("link", name=w.witness.reference)).to_have_count(0)
    assert_accessible(page)
    results.get_by_role("link", name=dewi.reference).click()
    expect(page.get_by_role("heading", name=dewi.reference).first).to_be_visible()

    # A call with a follow-up: the follow-up becomes the officer's task.
    page.get_by_role("link", name="Contacts and dates to avoid").click()
    page.get_by_role("link", name="Log a contact").click()
    yesterday = today_utc() - timedelta(days=1)
    page.get_by_label("When").fill(f"{yesterday.isoformat()}T10:30")
    page.get_by_label("How").select_option("call")
    page.get_by_label("Summary").fill("Went over the screen; she wants to see the courtroom first.")
    page.get_by_label("Follow up on").fill((today_utc() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact logged. A follow-up task was created.")).to_be_visible()
    follow_up = f"Follow up the call with {dewi.reference}"
    page.goto("/tasks/")
    expect(page.get_by_role("link", name=follow_up)).to_be_visible()

    # A task for a colleague on the same witness: it waits on the colleague's page, not the officer's.
    page.goto(f"/witnesses/{dewi.id}")
    page.get_by_role("link", name="Write a task").click()
    page.get_by_label("What needs doing").fill("Arrange a court visit before the trial")
    page.get_by_label("Due by").fill((today_utc() + timedelta(days=7)).isoformat())
    page.get_by_label("For").select_option(str(colleague.id))
    page.get_by_role("button", name="Write the task").click()
    expect(page.get_by_text("Task written.")).to_be_visible()
    expect(page.get_by_role("heading", name="Arrange a court visit before the trial")).to_be_visible()
    expect(page.get_by_text("Cody Colleague").first).to_be_visible()
    assert_accessible(page)

    # The aid application, a real PDF, listed on the aids page against the aid.
    page.goto(f"/witnesses/{dewi.id}")
    page.get_by_role("link", name="Upload or open documents").click()
    page.get_by_label("Attached to").select_option(f"aid:{aid.id}")
    page.get_by_label("File").set_input_files(
        {"name": "screen application.pdf", "mimeType": "application/pdf",
         "buffer": tiny_pdf("Application for a screen, invented")})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Stored screen application.pdf")).to_be_visible()
    page.goto(f"/witnesses/{dewi.id}/aids")
    expect(page.locator("#documents tr", has_text="screen application.pdf")).to_contain_text("Aid: Screen")
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The officer goes on leave: the administrator hands everything to the colleague.
    login(page, admin.email, PASSWORD)
    page.goto(f"/admin/users/{w.officer.id}")
    page.get_by_role("link", name="Hand the work over").click()
    page.get_by_label("Hand over to").select_option(str(colleague.id))
    page.get_by_label("Reason").fill("Leave")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Handed over")).to_be_visible()
    expect(page.get_by_role("link", name="Hand the work over")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # The colleague now has both witnesses, the follow-up and their own task.
    login(page, colleague.email, PASSWORD)
    page.goto(f"/witnesses?officer={colleague.id}")
    for witness in (w.witness, dewi):
        expect(page.get_by_role("link", name=witness.reference)).to_be_visible()
    page.goto(f"/witnesses?officer={w.officer.id}")
    for witness in (w.witness, dewi):
        expect(page.get_by_role("link", name=witness.reference)).to_have_count(0)
    page.goto("/tasks/")
    expect(page.get_by_role("link", name=follow_up)).to_be_visible()
    expect(page.get_by_role("link", name="Arrange a court visit before the trial")).to_be_visible()
    axe_sweep(page, visited)

"""A supervisor opens their team's page from the home page: every number on it is a link, and each
link opens a list the supervisor may use that shows what the number counted (no dead end)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, axe_sweep, login, screenshot, track
from tests.helpers import PASSWORD
from witness_support.cases import operations as case_ops
from witness_support.db import utc_now
from witness_support.extensions import db
from witness_support.notifications.models import Notification, Status
from witness_support.tasks import operations as task_ops
from witness_support.witnesses import operations as witness_ops


def test_each_number_on_the_supervisors_page_opens_its_list(page, live_app):
    w = builders.world()
    sue = builders.user("supervisor@example.test", "liaison_officer", "Sue Supervisor")
    case_ops.assign_to_case(w.officer, w.case, sue)
    second = witness_ops.create_witness(
        w.officer, legal_name="Invented Second Witness", preferred_language="Indonesian",
        date_of_birth=date(1990, 1, 9), participation="participating",
    )
    case_ops.start_journey(w.officer, w.case, second)
    w.officer.supervisor_id = sue.id
    db.session.commit()
    task_ops.create_task(w.officer, "manual", "Call about the hearing date", witness_id=second.id,
                         due_at=utc_now() - timedelta(days=2))
    db.session.add(Notification(witness_id=second.id, kind="hearing_date", dedup_key="walk-late",
                                triggered_at=utc_now() - timedelta(days=3), status=Status.FAILED,
                                deadline_at=utc_now() - timedelta(days=1)))
    db.session.commit()
    visited = track(page)

    login(page, "supervisor@example.test", PASSWORD)
    page.get_by_role("link", name="Open your team's caseload and overdue work").click()
    expect(page.get_by_role("heading", name="My team")).to_be_visible()
    row = page.locator("tbody tr", has_text="Olive Officer")
    expect(row.get_by_role("link", name="witnesses of Olive Officer")).to_have_text("2 witnesses of Olive Officer")
    expect(row.get_by_role("link", name="tasks overdue, Olive Officer")).to_contain_text("1")
    assert_accessible(page)
    screenshot(page, "supervision")

    links = page.locator("main a:has(.visually-hidden)")
    targets = [(links.nth(i).inner_text().split()[0], links.nth(i).locator(".visually-hidden").inner_text().strip(),
                links.nth(i).get_attribute("href")) for i in range(links.count())]
    assert len(targets) >= 8, targets  # four per officer row, four for everything
    for number, what, href in targets:
        page.goto("/supervision/")
        page.locator("main a", has=page.locator(".visually-hidden", has_text=what)).first.click()
        page.wait_for_load_state()
        assert href.split("?")[0] in page.url, (what, page.url)
        expect(page.get_by_text("There is nothing here")).to_have_count(0)
        expect(page.locator("h1")).to_be_visible()
        if what == "witnesses of Olive Officer":
            for witness in (w.witness, second):
                expect(page.get_by_role("link", name=witness.reference)).to_be_visible()
        if what.startswith("tasks overdue"):
            expect(page.get_by_role("link", name="Call about the hearing date")).to_have_count(int(number))
        if what.startswith("notices not delivered"):
            expect(page.get_by_text(second.reference).first).to_be_visible()
    axe_sweep(page, visited)

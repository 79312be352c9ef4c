"""An officer uploads a screen application to the witness's testimonial aid: a file over the limit is
stopped by the browser, a disguised web page by the server; the application is then listed on the
aids page and downloads back byte for byte."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser import builders
from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD, tiny_pdf
from witness_support.aids import operations as aid_ops
from witness_support.extensions import db


def test_officer_uploads_an_aid_application_and_downloads_it(page, live_app):
    live_app.config["DOCUMENT_MAX_BYTES"] = 4096
    w = builders.world()
    aid = aid_ops.propose_aid(w.officer, w.witness, w.case, "screen")
    db.session.commit()
    application = tiny_pdf("Application for a screen, invented")
    login(page, "officer@example.test", PASSWORD)
    page.goto(f"/witnesses/{w.witness.id}")
    page.get_by_role("link", name="Upload or open documents").click()
    # Over the limit: the browser refuses it before sending anything (the server would too).
    page.get_by_label("File").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("x" * 5000)})
    page.get_by_role("button", name="Upload").click()
    assert "larger than the limit" in page.get_by_label("File").evaluate("input => input.validationMessage")
    expect(page.get_by_text("Stored scan.pdf")).to_have_count(0)
    page.get_by_label("Attached to").select_option(f"aid:{aid.id}")
    page.get_by_label("File").set_input_files(
        {"name": "application.pdf", "mimeType": "application/pdf", "buffer": b"<html><script>x()</script></html>"})
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-error")).to_contain_text("its content is a web page")
    assert_accessible(page)

    page.get_by_label("Attached to").select_option(f"aid:{aid.id}")
    page.get_by_label("File").set_input_files(
        {"name": "screen application.pdf", "mimeType": "application/pdf", "buffer": application})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Stored screen application.pdf")).to_be_visible()
    page.goto(f"/witnesses/{w.witness.id}/aids")
    row = page.locator("#documents tr", has_text="screen application.pdf")
    expect(row).to_contain_text("Aid: Screen")
    expect(row).to_contain_text("Court logistics")
    with page.expect_download() as waiting:
        row.get_by_role("link", name="screen application.pdf", exact=True).click()
    download = waiting.value
    assert download.suggested_filename == "screen application.pdf"
    assert Path(download.path()).read_bytes() == application
    screenshot(page, "documents")

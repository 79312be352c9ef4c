"""A liaison officer signs in, registers a witness, links them to a case, assesses risk and moves them."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, login, screenshot
from tests.helpers import PASSWORD
from witness_support.auth import operations as auth_ops
from witness_support.cases import operations as case_ops
from witness_support.db import today_utc
from witness_support.extensions import db


def test_officer_registers_links_assesses_and_moves_a_witness(page, live_app):
    officer = auth_ops.create_user(
        "officer@example.test", role="liaison_officer", password=PASSWORD, display_name="Olive Officer"
    )
    case = case_ops.create_case(
        officer,
        reference="PN-JKT-0001",
        court_name="Invented District Court",
        court_timezone="Asia/Jakarta",
        offence_type="Trafficking in persons",
    )
    db.session.commit()

    login(page, "officer@example.test", PASSWORD)
    assert_accessible(page)

    page.get_by_role("link", name="Witnesses").click()
    page.get_by_role("link", name="Register a witness").click()
    page.get_by_label("Legal name").fill("Invented Browser Person")
    page.get_by_label("Preferred language").fill("Thai")
    page.get_by_label("Date of birth").fill((today_utc() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save").click()
    # The error is by the field and in the summary; what was typed is still there.
    expect(page.get_by_text("The date of birth cannot be in the future.").first).to_be_visible()
    assert page.get_by_label("Legal name").input_value() == "Invented Browser Person"
    assert_accessible(page)
    page.get_by_label("Date of birth").fill("1994-03-02")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("W-")  # the new witness's page, once it has loaded
    reference = page.locator("h1").inner_text().split()[0]
    assert reference.startswith("W-")

    page.goto(f"/cases/{case.id}")
    page.get_by_role("link", name="Link a witness").click()
    page.get_by_label("Witness").select_option(label=reference)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name=reference).click()

    page.get_by_role("link", name="Move to another stage").click()
    page.get_by_label("Move to").select_option("trial")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("needs a risk assessment for the trial stage").first).to_be_visible()

    page.goto(page.url.split("/journeys")[0] + "/witnesses/")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Record a risk assessment").click()
    page.get_by_label("Stage").select_option("trial")
    page.get_by_label("Risk level").select_option("high")
    page.get_by_label("Next review").fill((today_utc() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Record assessment").click()
    expect(page.get_by_text("High risk").first).to_be_visible()

    page.get_by_role("link", name="Move to another stage").click()
    page.get_by_label("Move to").select_option("trial")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".stage-trial").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "witness-timeline")


def test_phone_width_has_no_horizontal_scroll(phone_page, live_app):
    auth_ops.create_user("officer@example.test", role="liaison_officer", password=PASSWORD)
    db.session.commit()
    login(phone_page, "officer@example.test", PASSWORD)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(phone_page)

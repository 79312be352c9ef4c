"""Need-to-know per field: the table of field groups, and canaries planted in every group.

One witness carries a distinct canary in each field group. Every person with a part on it (and
some without) reads every page, API route, export and feed that can name it; each canary must
appear for exactly the people whose groups include it, and nowhere for anyone else.
The routes are read from `app.url_map`, so a page added later is walked without editing this file.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.helpers import tiny_pdf
from witness_support.access import visible_groups, visible_groups_by_witness
from witness_support.availability import operations as availability_ops
from witness_support.breakglass import operations as breakglass_ops
from witness_support.cases import operations as case_ops
from witness_support.contacts import operations as contact_ops
from witness_support.court import operations as court_ops
from witness_support.custody import operations as custody_ops
from witness_support.db import today_utc, utc_now
from witness_support.documents import operations as document_ops
from witness_support.documents import queries as document_queries
from witness_support.extensions import db
from witness_support.feeds import operations as feed_ops
from witness_support.ledger import operations as ledger_ops
from witness_support.notifications import operations as notify_ops
from witness_support.permissions import (
    ASSIGNMENT_GROUPS,
    BREAK_GLASS_GROUPS,
    CASE_GROUPS,
    FIELD_GROUPS,
    LIST_GROUPS,
    ROLE_GROUP_LIMIT,
    FieldGroup,
    Permission,
    Role,
    groups_for,
    has_permission,
)
from witness_support.protection import operations as protection_ops
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

G = FieldGroup

# ---- the table, asserted ---------------------------------------------------------------------------

EXPECTED_ASSIGNMENT = {
    "liaison_officer": set(G),
    "guardian": set(G) - {G.BENEFITS_DETAIL},
    "support_worker": {G.IDENTITY, G.CONTACT, G.NEEDS, G.RISK_LEVEL, G.BENEFITS_SUMMARY, G.COURT_LOGISTICS},
    "intermediary": {G.NEEDS, G.RISK_LEVEL, G.COURT_LOGISTICS},
    "interpreter": {G.RISK_LEVEL, G.COURT_LOGISTICS},
}
PROSECUTION = {G.IDENTITY, G.NEEDS, G.RISK_DETAIL, G.RISK_LEVEL, G.BENEFITS_DETAIL, G.BENEFITS_SUMMARY,
               G.COURT_LOGISTICS}


def test_the_table_of_who_sees_which_group():
    assert {role: set(groups) for role, groups in ASSIGNMENT_GROUPS.items()} == EXPECTED_ASSIGNMENT
    assert {role: set(groups) for role, groups in CASE_GROUPS.items()} == {
        Role.PROSECUTOR: PROSECUTION, Role.LIAISON_OFFICER: PROSECUTION}
    assert ROLE_GROUP_LIMIT[Role.ADMIN] == frozenset()
    assert groups_for(Role.ADMIN, {"liaison_officer"}, True) == frozenset()
    # Location and contact are for the witness's own people, never reached through a case alone.
    assert not groups_for(Role.PROSECUTOR, set(), True) & {G.LOCATION, G.CONTACT}


def test_every_way_of_seeing_a_witness_includes_the_list_groups():
    """Lists show only these groups, so they need no check per row."""
    for groups in [*ASSIGNMENT_GROUPS.values(), *CASE_GROUPS.values()]:
        assert groups >= LIST_GROUPS


def test_each_field_is_in_one_group_and_accommodation_is_location():
    names = [name for names in FIELD_GROUPS.values() for name in names]
    assert len(names) == len(set(names))
    assert set(FIELD_GROUPS) == set(G)
    assert {"benefit.accommodation.provider", "benefit.accommodation.description"} <= FIELD_GROUPS[G.LOCATION]
    assert {"risk_assessment.threats", "risk_assessment.measures"} <= FIELD_GROUPS[G.RISK_DETAIL]


def _docs_table() -> dict[str, set[G]]:
    """The table in docs/security.md: a row per assignment or case role, a column per group, ✓ or ✗."""
    text = (Path(__file__).parent.parent / "docs" / "security.md").read_text()
    section = text.split("## Need-to-know per field", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| who |"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    header = [cell.strip().strip("`") for cell in rows[0].strip("|").split("|")]
    table = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        who = cells[0].strip("`")
        table[who] = {G(header[i]) for i, cell in enumerate(cells) if i and cell.startswith("✓")}
    return table


def test_the_table_in_the_docs_is_the_table_in_the_code():
    table = _docs_table()
    expected = {f"assigned {role}": set(groups) for role, groups in ASSIGNMENT_GROUPS.items()}
    expected |= {f"{role} on the case": set(groups) for role, groups in CASE_GROUPS.items()}
    expected["admin"] = set(ROLE_GROUP_LIMIT[Role.ADMIN])
    expected["break-glass grant"] = set(BREAK_GLASS_GROUPS)
    assert table == expected


# ---- canaries ---------------------------------------------------------------------------------------

CANARIES: dict[str, G] = {
    "Cnryidname Zq": G.IDENTITY,
    "Cnryidnation": G.IDENTITY,
    "Cnrylocaddress": G.LOCATION,
    "Cnrylocshelter": G.LOCATION,  # the accommodation benefit's provider
    "Cnrylocroom": G.LOCATION,  # the accommodation benefit's description
    "Cnrylocpostal": G.LOCATION,  # the postal address for notices
    "Cnrycontactline": G.CONTACT,
    "cnrymail@example.invalid": G.CONTACT,
    "Cnryriskthreat": G.RISK_DETAIL,
    "Cnryriskmeasure": G.RISK_DETAIL,
    "Cnrybenefitwhat": G.BENEFITS_DETAIL,
    "Cnrybenefitfrom": G.BENEFITS_DETAIL,
    "Cnrybenefitneed": G.BENEFITS_DETAIL,
    "4321.17": G.BENEFITS_SUMMARY,
    "Cnryconcerntext": G.BENEFITS_SUMMARY,  # a concern of misuse of support: free text about the benefits
    "Cnrycourtroom": G.COURT_LOGISTICS,
    "Cnrylocexclusion": G.LOCATION,  # a bail condition's exclusion zone
    "Cnrylocresidence": G.LOCATION,  # a bail condition's residence
    "Cnrycustodysource": G.COURT_LOGISTICS,  # where a custody change was learned
    "Cnrylocrelocated": G.LOCATION,  # a plan measure of kind relocation
    "Cnryriskescort": G.RISK_DETAIL,  # a plan measure of another kind
    "Cnryriskplanwhy": G.RISK_DETAIL,  # a plan revision's summary
    "Cnrycontactsummary": G.CONTACT,  # a contact's summary in the contact log
    "Cnryavoidnote": G.NEEDS,  # why the witness cannot attend on a date to avoid
    "Cnryneedsdoc": G.NEEDS,  # a document's name, filed under needs
    "Cnrydoccontent": G.NEEDS,  # the text inside that document (seen only by downloading it)
}

# Canaries only pages behind a further permission show: the others need not see them anywhere.
SHOWN_ONLY_WITH = dict.fromkeys(("cnrymail@example.invalid", "Cnrylocpostal"), Permission.NOTIFICATION_VIEW)

# Pages that are not about reading a witness (signing in, one's own account) and those that end
# the session the walk uses.
SKIPPED = re.compile(r"^(auth\.|static$|main\.health$)")


@pytest.fixture
def canary_world(app, officer, prosecutor, admin, make_user, trial_case, make_event) -> dict[str, Any]:  # noqa: ANN001
    setup = trial_case(legal_name="Cnryidname Zq", nationality="Cnryidnation", address="Cnrylocaddress",
                       contact_details="Cnrycontactline", post_trial_assessed=False)
    witness, case = setup.witness, setup.case
    assessment = witness_ops.record_risk_assessment(
        officer, witness, stage="trial", level="high", assessed_on=today_utc(),
        next_review_on=today_utc() + timedelta(days=20), threats="Cnryriskthreat", measures="Cnryriskmeasure")
    case_ops.assign_to_case(officer, case, prosecutor)
    colleague = make_user("liaison_officer", display_name="Colin Case")
    case_ops.assign_to_case(officer, case, colleague)
    people = {"officer": officer, "prosecutor": prosecutor, "case officer": colleague, "admin": admin,
              "stranger": make_user("liaison_officer", display_name="Stan Stranger")}
    for role in ("support_worker", "guardian", "interpreter", "intermediary"):
        people[role] = make_user("support_person", display_name=f"Pat {role.title()}")
        witness_ops.assign_support(officer, witness, people[role], role)
    # An on-call officer holding a break-glass grant that lasts, and one whose grant has ended.
    people["break-glass"] = make_user("liaison_officer", display_name="Bea Breakglass")
    breakglass_ops.open_break_glass(people["break-glass"], witness.reference, "Witness called in danger at night")
    people["break-glass ended"] = make_user("liaison_officer", display_name="Ed Ended")
    breakglass_ops.open_break_glass(people["break-glass ended"], witness.reference, "Witness called in danger",
                                    now=utc_now() - timedelta(hours=5))
    db.session.commit()
    event = make_event(case, [witness], room="Cnrycourtroom", days=5)
    for role in ("support_worker", "guardian", "interpreter", "intermediary"):
        court_ops.assign_attendance(officer, event, witness, people[role], override_reason="canary walk")
    for kind, description, provider, amount in (
        ("accommodation", "Cnrylocroom", "Cnrylocshelter", None),
        ("travel", "Cnrybenefitwhat", "Cnrybenefitfrom", Decimal("4321.17")),
    ):
        ledger_ops.record_benefit(officer, witness, kind=kind, description=description, provider=provider,
                                  amount=amount, currency="IDR" if amount else None, provided_on=today_utc(),
                                  provided_until=None, rationale="Cnrybenefitneed, the need it meets here",
                                  authorised_by=officer)
    notify_ops.set_preferences(officer, witness, channel="letter", language="en", email="cnrymail@example.invalid",
                               postal_address="Cnrylocpostal", contact_is_safe=True)
    custody_ops.record_custody_event(
        officer, setup.defendant, kind="bailed", occurred_at=utc_now() - timedelta(hours=3), source="Cnrycustodysource",
        conditions=[{"kind": "no_contact", "witness_id": witness.id},
                    {"kind": "exclusion_zone", "text": "Cnrylocexclusion"},
                    {"kind": "residence", "text": "Cnrylocresidence"}])
    protection_ops.revise_plan(
        officer, witness, review_on=today_utc() + timedelta(days=30), risk_assessment_id=assessment.id,
        summary="Cnryriskplanwhy",
        measures=[{"kind": "relocation", "text": "Cnrylocrelocated", "responsible": "Police"},
                  {"kind": "escort_to_court", "text": "Cnryriskescort", "responsible": "Ushers"}])
    contact_ops.log_contact(officer, witness, occurred_at=utc_now() - timedelta(hours=2), channel="call",
                            summary="Cnrycontactsummary: will come by bus",
                            follow_up_on=today_utc() + timedelta(days=2))
    availability_ops.add_date_to_avoid(officer, witness, first_day=today_utc() + timedelta(days=40), reason="other",
                                       note="Cnryavoidnote")
    db.session.commit()
    entry = ledger_ops.entries_for([witness.id])[0]
    ledger_ops.raise_concern(people["support_worker"], witness, "Cnryconcerntext: the grant looks too generous", entry)
    db.session.commit()
    document = document_ops.upload_document(
        officer, document_queries.witness_targets(witness)[0], data=tiny_pdf("Cnrydoccontent"),
        name="Cnryneedsdoc.pdf", field_group="needs")
    db.session.commit()
    ids = {"witness_id": witness.id, "case_id": case.id, "journey_id": setup.journey.id, "event_id": event.id,
           "entry_id": entry.id, "defendant_id": setup.defendant.id, "document_id": document.id}
    return {"people": people, "ids": ids, "witness": witness}


def _urls(app: Flask, ids: dict[str, int]) -> list[tuple[str, bool]]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or SKIPPED.match(rule.endpoint) or rule.endpoint == "feeds.feed":
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        urls.append((path, rule.rule.startswith("/api/")))
        if "disclosure" in path or path.endswith("/audit"):
            urls.append((path + ("?format=csv" if not path.startswith("/api/") else ""), path.startswith("/api/")))
    return urls


def _read_everything(app: Flask, client, auth, api_token, person, ids: dict[str, int]) -> dict[str, str]:  # noqa: ANN001
    """Every page, API answer, CSV and the feed that `person` can read: url → text."""
    seen = {}
    auth.login(person)
    headers = api_token(person)
    api = app.test_client()
    for url, is_api in _urls(app, ids):
        if is_api:
            for accept in ("application/json", "text/csv"):
                response = api.get(url, headers=headers | {"Accept": accept})
                if response.status_code == 200:
                    seen[f"{url} [{accept}]"] = response.get_data(as_text=True)
        else:
            response = client.get(url)
            if response.status_code == 200:
                seen[url] = response.get_data(as_text=True)
    token = feed_ops.issue_feed_token(person, person) if person.role != Role.ADMIN else None
    db.session.commit()
    if token:
        response = api.get(f"/feeds/{token}.ics")
        if response.status_code == 200:
            seen["feed"] = response.get_data(as_text=True).replace("\r\n ", "")  # unfold ICS lines
    auth.logout()
    return seen


PEOPLE = ["officer", "case officer", "prosecutor", "support_worker", "guardian", "interpreter", "intermediary",
          "admin", "stranger", "break-glass", "break-glass ended"]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_canary_appears_exactly_where_the_table_allows(app, client, auth, api_token, canary_world, who):
    person = canary_world["people"][who]
    witness = canary_world["witness"]
    with app.test_request_context():
        allowed = visible_groups_by_witness(person, [witness.id])[witness.id]
    seen = _read_everything(app, client, auth, api_token, person, canary_world["ids"])
    leaks, missing = [], []
    for canary, group in CANARIES.items():
        where = sorted(url for url, text in seen.items() if canary.lower() in text.lower())
        shown = group in allowed and has_permission(person, SHOWN_ONLY_WITH.get(canary, Permission.WITNESS_VIEW))
        if shown and not where:
            missing.append(canary)
        if group not in allowed and where:
            leaks.append((canary, str(group), where))
    assert not leaks, f"{who} sees what their part does not need: {leaks}"
    assert not missing, f"{who} should see {missing} somewhere"


def test_the_people_hold_the_groups_the_table_gives_them(app, canary_world):
    people, witness = canary_world["people"], canary_world["witness"]
    with app.test_request_context():
        groups = {who: set(visible_groups(people[who], witness)) for who in PEOPLE}
    assert groups["officer"] == set(G)
    assert groups["case officer"] == groups["prosecutor"] == PROSECUTION
    for role, expected in EXPECTED_ASSIGNMENT.items():
        if role != "liaison_officer":
            assert groups[role] == expected
    assert groups["admin"] == groups["stranger"] == set()
    # Location and contact while the grant lasts, nothing after.
    assert groups["break-glass"] == set(BREAK_GLASS_GROUPS) >= {G.IDENTITY, G.LOCATION, G.CONTACT}
    assert groups["break-glass ended"] == set()


def test_notices_to_staff_carry_no_witness_data(app, canary_world):
    """Tasks (the notices to staff: a benefit to check, a break-glass to review...) name the
    witness by reference only; their recipients' home pages are walked above as well."""
    titles = [task.title for task in db.session.execute(sa.select(Task)).scalars()]
    assert any("break-glass" in title for title in titles)
    for canary in CANARIES:
        assert not [title for title in titles if canary.lower() in title.lower()], canary

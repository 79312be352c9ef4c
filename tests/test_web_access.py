"""Need-to-know on every page: assigned people see, everyone else gets 404, anonymous users log in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.permissions import ROLE_PERMISSIONS, Permission, Role
from witness_support.witnesses import operations as witness_ops

CANARY_NAME = "Zebulon Canaryfield"


@pytest.fixture
def world(officer, prosecutor, admin, make_user, make_case, make_witness, make_journey):
    """One witness in one case, and people around it with different needs to know."""
    case = make_case(by=prosecutor)
    case_ops.assign_to_case(prosecutor, case, officer)
    witness = make_witness(legal_name=CANARY_NAME, address="7 Canary Row")
    journey = make_journey(witness=witness, case=case)
    interpreter = make_user("support_person", display_name="Ivo Interp")
    guardian = make_user("support_person", display_name="Gia Guardian")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    witness_ops.assign_support(officer, witness, guardian, "guardian")
    db.session.commit()
    return {
        "case": case,
        "witness": witness,
        "journey": journey,
        "officer": officer,
        "prosecutor": prosecutor,
        "admin": admin,
        "interpreter": interpreter,
        "guardian": guardian,
        "other_officer": make_user("liaison_officer"),
        "other_prosecutor": make_user("prosecutor"),
        "stranger": make_user("support_person"),
    }


ROUTES = {
    "witness_list": "/witnesses/",
    "witness": "/witnesses/{witness}",
    "witness_edit": "/witnesses/{witness}/edit",
    "risk_new": "/witnesses/{witness}/risk-assessments/new",
    "assign_new": "/witnesses/{witness}/assignments/new",
    "case_list": "/cases/",
    "case": "/cases/{case}",
    "defendant_new": "/cases/{case}/defendants/new",
    "staff_new": "/cases/{case}/staff/new",
    "link_witness": "/cases/{case}/witnesses/new",
    "transition": "/journeys/{journey}/transition",
    "users": "/admin/users",
    "audit": "/admin/audit",
    "home": "/",
}

# Who gets 200; everyone else who is signed in gets 404 (admins are sent from home to accounts).
ALLOWED = {
    "witness_list": {
        "officer",
        "prosecutor",
        "interpreter",
        "guardian",
        "other_officer",
        "other_prosecutor",
        "stranger",
    },
    "witness": {"officer", "prosecutor", "interpreter", "guardian"},
    "witness_edit": {"officer"},
    "risk_new": {"officer"},
    "assign_new": {"officer"},
    "case_list": {"officer", "prosecutor", "other_officer", "other_prosecutor"},
    "case": {"officer", "prosecutor"},
    "defendant_new": {"officer", "prosecutor"},
    "staff_new": {"officer", "prosecutor"},
    "link_witness": {"officer", "prosecutor"},
    "transition": {"officer"},
    "users": {"admin"},
    "audit": {"admin"},
    "home": {"officer", "prosecutor", "interpreter", "guardian", "other_officer", "other_prosecutor", "stranger"},
}
PEOPLE = ["officer", "prosecutor", "admin", "interpreter", "guardian", "other_officer", "other_prosecutor", "stranger"]


def url(world, name: str) -> str:
    return ROUTES[name].format(witness=world["witness"].id, case=world["case"].id, journey=world["journey"].id)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_anonymous_users_are_sent_to_login(client, world, route):
    response = client.get(url(world, route))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("person", PEOPLE)
def test_each_person_sees_exactly_what_they_need(client, auth, world, person):
    auth.login(world[person])
    for route in ROUTES:
        response = client.get(url(world, route))
        if route == "home" and person == "admin":
            assert response.status_code == 302
            continue
        expected = 200 if person in ALLOWED[route] else 404
        assert response.status_code == expected, (person, route, response.status_code)
        if expected == 404:
            assert CANARY_NAME not in response.get_data(as_text=True)
            assert world["witness"].reference not in response.get_data(as_text=True)


# A prosecutor on the case knows who the witness is, not where they live (they ask the officer).
@pytest.mark.parametrize(
    ("person", "sees_identity", "sees_address"),
    [
        ("officer", True, True),
        ("prosecutor", True, False),
        ("guardian", True, True),
        ("interpreter", False, False),
    ],
)
def test_identity_only_for_roles_that_need_it_and_every_read_is_audited(
    client, auth, world, person, sees_identity, sees_address
):
    auth.login(world[person])
    page = client.get(url(world, "witness")).get_data(as_text=True)
    assert world["witness"].reference in page
    assert (CANARY_NAME in page) is sees_identity
    assert ("7 Canary Row" in page) is sees_address
    reads = (
        db.session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.action == "witness.identity.view", AuditEvent.actor_id == world[person].id
            )
        )
        .scalars()
        .all()
    )
    assert len(reads) == (1 if sees_identity else 0)


def test_witness_list_shows_pseudonyms_only(client, auth, world):
    auth.login(world["officer"])
    page = client.get("/witnesses/").get_data(as_text=True)
    assert world["witness"].reference in page and CANARY_NAME not in page


def test_ending_an_assignment_removes_access_at_once(client, auth, world):
    auth.login(world["interpreter"])
    assert client.get(url(world, "witness")).status_code == 200
    assignment = next(a for a in world["witness"].assignments if a.user_id == world["interpreter"].id)
    witness_ops.end_assignment(world["officer"], assignment)
    db.session.commit()
    assert client.get(url(world, "witness")).status_code == 404


# The policy, written out whole: any change to who may do what must change this table too.
EXPECTED_PERMISSIONS = {
    "admin": {"audit:view", "ledger:verify", "organisation:manage", "user:manage"},
    "liaison_officer": {
        "benefit:record",
        "benefit:view",
        "case:create",
        "case:edit",
        "case:list",
        "case:view",
        "concern:raise",
        "concern:review",
        "court:aid:manage",
        "court:aid:view",
        "court:attendance:manage",
        "court:attendance:outcome",
        "court:event:manage",
        "court:event:view",
        "court:readiness:view",
        "court:schedule:view",
        "disclosure:view",
        "document:upload",
        "document:view",
        "feed:subscribe",
        "journey:start",
        "journey:transition",
        "notification:manage",
        "notification:view",
        "organisation:manage",
        "outcome:record",
        "risk:create",
        "risk:view",
        "services:record",
        "witness:assign",
        "witness:break_glass:refuse",
        "witness:break_glass:use",
        "witness:contact:court_note",
        "witness:contact:log",
        "witness:contact:view",
        "witness:create",
        "witness:dates_to_avoid:record",
        "witness:edit",
        "witness:list",
        "witness:view",
    },
    "prosecutor": {
        "benefit:view",
        "case:create",
        "case:edit",
        "case:list",
        "case:view",
        "concern:raise",
        "concern:review",
        "court:aid:manage",
        "court:aid:view",
        "court:attendance:outcome",
        "court:event:manage",
        "court:event:view",
        "court:readiness:view",
        "court:schedule:view",
        "disclosure:record",
        "disclosure:view",
        "document:upload",
        "document:view",
        "feed:subscribe",
        "journey:start",
        "notification:view",
        "outcome:record",
        "risk:view",
        "witness:list",
        "witness:view",
    },
    "support_person": {"benefit:view", "concern:raise", "court:schedule:view", "document:view", "feed:subscribe",
                       "witness:list", "witness:view", "witness:contact:view", "witness:contact:court_note"},
}


def test_permission_table():
    actual = {role.value: {p.value for p in granted} for role, granted in ROLE_PERMISSIONS.items()}
    assert actual == EXPECTED_PERMISSIONS
    assert set(actual) == {role.value for role in Role}
    # Every permission is granted to someone, and admins never work on witnesses.
    assert set().union(*actual.values()) == {p.value for p in Permission}
    assert not any(p.startswith(("witness:", "case:", "benefit:", "disclosure:")) for p in actual["admin"])

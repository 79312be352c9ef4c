"""The remaining channels of need-to-know: the audit trail's rendered details, court event and aid
API fields, and a static check that every template line showing a protected witness field sits
inside a group check."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from witness_support.access import audit_details
from witness_support.aids import operations as aid_ops
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.extensions import db
from witness_support.permissions import LIST_GROUPS, UNGUARDED_FIELDS, field_group
from witness_support.witnesses import operations as witness_ops

FREE_TEXT = "Cnryfreetext moved to the shelter on Canary Street"


def _end_with_reason(officer, witness, make_user):  # noqa: ANN001, ANN202
    helper = make_user("support_person")
    assignment = witness_ops.assign_support(officer, witness, helper, "support_worker")
    witness_ops.end_assignment(officer, assignment, FREE_TEXT)
    db.session.commit()
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "assignment.end")).scalar_one()


def test_the_audit_export_leaves_free_text_out_for_an_admin(app, client, auth, officer, admin, make_witness, make_user):
    witness = make_witness()
    _end_with_reason(officer, witness, make_user)
    auth.login(admin)
    response = client.get("/admin/audit.csv")
    auth.logout()
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "assignment.end" in text and "assignment.create" in text
    assert "Cnryfreetext" not in text
    assert '""role"": ""support_worker""' in text  # structured details stay


def test_free_text_details_are_for_the_witness_own_officer(app, officer, prosecutor, make_witness, make_case,
                                                           make_journey, make_user):
    witness = make_witness()
    case = make_case()
    make_journey(witness=witness, case=case)
    case_ops.assign_to_case(officer, case, prosecutor)
    event = _end_with_reason(officer, witness, make_user)
    with app.test_request_context():
        assert audit_details(officer, [event])[event.id] == {"reason": FREE_TEXT}
    with app.test_request_context():  # on the case, without the witness's location and contact
        assert audit_details(prosecutor, [event])[event.id] == {}


def test_court_event_and_aid_fields_each_have_a_group(app, client, api_token, officer, trial_case, make_event):
    setup = trial_case()
    event = make_event(setup.case, [setup.witness], room="Room 4")
    aid_ops.propose_aid(officer, setup.witness, setup.case, "screen")
    db.session.commit()
    headers = api_token(officer)
    document = client.get("/api/v1/openapi.json").get_json()
    for schema, resource, url in (
        ("CourtEvent", "court_event", f"/api/v1/court-events/{event.id}"),
        ("Aid", "aid", f"/api/v1/witnesses/{setup.witness.id}/aids"),
    ):
        properties = document["components"]["schemas"][schema]["properties"]
        for name, prop in properties.items():
            grouped = f"{resource}.{name}" in UNGUARDED_FIELDS or field_group(resource, name) in LIST_GROUPS
            assert grouped and (prop.get("x-field-group") or f"{resource}.{name}" in UNGUARDED_FIELDS), name
        body = client.get(url, headers=headers).get_json()
        item = body["items"][0] if "items" in body else body
        assert set(item) == set(properties), schema  # no field was dropped for want of a group


# ---- the templates -----------------------------------------------------------------------------------

TEMPLATES = Path(__file__).parent.parent / "templates"
# Template attributes that carry a field of a group outside LIST_GROUPS (permissions.FIELD_GROUPS).
PROTECTED_ATTRIBUTES = ("legal_name", "date_of_birth", "gender", "nationality", "address", "contact_details",
                        "threats", "measures", "age_assessment", "postal_address", "third_party_name", "provider",
                        "rationale")
SHOWN = re.compile(r"\b(?!form\.)[a-z_]+\.(" + "|".join(PROTECTED_ATTRIBUTES) + r")\b")
TAG = re.compile(r"{%-?\s*(if|elif|else|endif|for|endfor|set)\b(.*?)-?%}|{{(.*?)}}", re.S)
GUARD = re.compile(r"\b(sees|shows)\(")
# Guards a view computes (a page section's flag), by the template that uses them.
VIEW_GUARDS = {"court/_schedule.html": {"item.show_identity"}}
# Pages whose view serves them only to someone who sees the groups shown (checked by the canary test).
WHOLE_PAGE = {
    "notifications/letter.html": "notifications.views.letter: only for someone who sees location (and contact)",
    "witnesses/form.html": "the edit form: access.can_edit_witness, someone who sees every group",
}


def unguarded(source: str, view_guards: set[str]) -> list[str]:
    """The protected fields shown outside any {% if %} whose condition asks sees()/shows() (or a
    variable set from one, or a guard the view computes). An {% else %} of a guard is unguarded."""
    guard_names = set(view_guards)
    stack: list[list] = []  # [the block's keyword, whether it guards]
    found = []
    for match in TAG.finditer(source):
        keyword, body, expression = match.group(1), match.group(2) or "", match.group(3)
        if keyword == "set":
            name, _, value = body.partition("=")
            if GUARD.search(value):
                guard_names.add(name.strip())
        elif keyword in ("if", "elif"):
            guarded = bool(GUARD.search(body)) or any(re.search(rf"(?<!not ){re.escape(n)}\b", body)
                                                      for n in guard_names)
            if keyword == "if":
                stack.append(["if", guarded])
            else:
                stack[-1][1] = guarded
        elif keyword == "for":
            stack.append(["for", False])
        elif keyword == "else":
            stack[-1][1] = False  # the else of an if (or of a for) is not guarded by its condition
        elif keyword in ("endif", "endfor"):
            stack.pop()
        elif expression and SHOWN.search(expression) and not any(guarded for _, guarded in stack):
            found.append(expression.strip())
    return found


def test_every_template_shows_protected_fields_only_inside_a_group_check():
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in WHOLE_PAGE:
            continue
        found = unguarded(path.read_text(), VIEW_GUARDS.get(name, set()))
        if found:
            offenders[name] = found
    assert offenders == {}


def test_the_template_check_catches_a_field_outside_a_guard():
    assert unguarded("<dd>{{ witness.address }}</dd>", set()) == ["witness.address"]
    assert unguarded("{% if sees(witness, 'location') %}{{ witness.address }}{% endif %}", set()) == []
    assert unguarded("{% if sees(witness, 'location') %}x{% else %}{{ witness.address }}{% endif %}", set()) \
        == ["witness.address"]
    assert unguarded("{% set d = sees(w, 'risk_detail') %}{% if d %}{{ a.threats }}{% endif %}", set()) == []
    assert unguarded("{% if not d %}{{ a.threats }}{% endif %}", set()) == ["a.threats"]

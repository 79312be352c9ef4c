"""Break-glass: an unassigned officer opens a witness's identity, location and contact for a few
hours by stating a reason; the witness's officer and a supervisor are told; every refusal is
audited; the witness's own officer sees who has looked and why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from witness_support.access import access_reasons, visible_groups, visible_groups_by_witness
from witness_support.audit import AuditEvent
from witness_support.breakglass import operations as breakglass_ops
from witness_support.breakglass.models import BreakGlassGrant
from witness_support.cases import operations as case_ops
from witness_support.db import utc_now
from witness_support.errors import NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.permissions import BREAK_GLASS_GROUPS
from witness_support.tasks.models import Task
from witness_support.witnesses import operations as witness_ops

REASON = "Witness called the night line in danger"
NAME, ADDRESS, CONTACT = "Brea Kglassname", "Brkaddress 12", "Brkphone 0800"


@pytest.fixture
def world(app, officer, make_user, make_witness, trial_case, prosecutor) -> dict[str, Any]:  # noqa: ANN001
    setup = trial_case(legal_name=NAME, address=ADDRESS, contact_details=CONTACT)
    witness = setup.witness
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    supervisor = make_user("liaison_officer", display_name="Sue Supervisor")
    on_call = make_user("liaison_officer", display_name="Olly Oncall")
    on_call.supervisor_id = supervisor.id
    db.session.commit()
    return {"witness": witness, "officer": officer, "on_call": on_call, "supervisor": supervisor,
            "prosecutor": prosecutor, "support": make_user("support_person"), "admin": make_user("admin")}


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def _grants() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(BreakGlassGrant)).scalar()


def _page(client, auth, user, url: str):  # noqa: ANN001, ANN202
    auth.login(user)
    response = client.get(url)
    auth.logout()
    return response


def test_an_unassigned_officer_opens_location_and_contact_by_reference_and_reason(app, client, auth, world):
    witness, on_call = world["witness"], world["on_call"]
    assert _page(client, auth, on_call, f"/witnesses/{witness.id}").status_code == 404

    auth.login(on_call)
    response = client.post("/break-glass/", data={"reference": witness.reference.lower(), "reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/witnesses/{witness.id}")
    page = client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    auth.logout()
    for value in (NAME, ADDRESS, CONTACT):
        assert value in page
    assert "Edit" not in page.split("</h1>", 1)[1].split("</div>", 1)[0]  # read, not change

    grant = db.session.execute(sa.select(BreakGlassGrant)).scalar_one()
    assert (grant.user_id, grant.witness_id, grant.reason) == (on_call.id, witness.id, REASON)
    assert grant.until - grant.granted_at == timedelta(hours=4)
    opened = _events("break_glass.open")
    assert [(e.actor_id, e.witness_id, e.object_id) for e in opened] == [(on_call.id, witness.id, grant.id)]
    assert REASON not in str(opened[0].details)  # free text stays off the trail
    view = _events("witness.identity.view")[-1]
    assert view.actor_id == on_call.id and view.details["because"] == ["break_glass"]


def test_the_witness_officer_and_the_supervisor_are_told_the_supervisor_reviews(app, client, auth, world):
    witness, on_call, officer, supervisor = world["witness"], world["on_call"], world["officer"], world["supervisor"]
    grant = breakglass_ops.open_break_glass(on_call, witness.reference, REASON)
    db.session.commit()
    tasks = {t.kind: t for t in db.session.execute(sa.select(Task).where(Task.source_type == "break_glass")).scalars()}
    assert tasks["break_glass_notice"].assignee_id == officer.id and tasks["break_glass_notice"].urgent
    assert tasks["break_glass_review"].assignee_id == supervisor.id
    for task in tasks.values():  # staff notices name the reference, never the witness
        assert witness.reference in task.title and NAME not in task.title and ADDRESS not in task.title

    home = _page(client, auth, officer, "/").get_data(as_text=True)
    assert f"/break-glass/{grant.id}" in home and "Olly Oncall opened" in home
    auth.login(supervisor)
    assert f"/break-glass/{grant.id}" in client.get("/").get_data(as_text=True)
    page = client.get(f"/break-glass/{grant.id}").get_data(as_text=True)
    assert REASON in page and NAME not in page and "Record the review" in page
    response = client.post(f"/break-glass/{grant.id}", data={"note": "Justified: called at 02:10"})
    assert response.status_code == 302
    auth.logout()
    db.session.refresh(grant)
    assert grant.reviewed_by_id == supervisor.id and grant.review_note == "Justified: called at 02:10"
    assert db.session.get(Task, tasks["break_glass_review"].id).done_at is not None
    assert [e.actor_id for e in _events("break_glass.review")] == [supervisor.id]
    # Nobody else may review it, nor read its reason.
    stranger = world["prosecutor"]
    assert _page(client, auth, stranger, f"/break-glass/{grant.id}").status_code == 404
    with pytest.raises(NotFound):
        breakglass_ops.review_break_glass(officer, grant, "")


def test_the_grant_lasts_its_hours_and_not_after(app, world):
    witness, on_call = world["witness"], world["on_call"]
    breakglass_ops.open_break_glass(on_call, witness.reference, REASON, now=utc_now() - timedelta(hours=3))
    db.session.commit()
    with app.test_request_context():
        assert visible_groups(on_call, witness) == BREAK_GLASS_GROUPS
        assert access_reasons(on_call, witness) == ["break_glass"]
    db.session.execute(sa.update(BreakGlassGrant).values(until=utc_now() - timedelta(seconds=1)))
    db.session.commit()
    assert visible_groups_by_witness(on_call, [witness.id]) == {witness.id: frozenset()}


def test_the_setting_sets_the_hours(app, world):
    app.config["BREAK_GLASS_HOURS"] = 1
    grant = breakglass_ops.open_break_glass(world["on_call"], world["witness"].reference, REASON)
    assert grant.until - grant.granted_at == timedelta(hours=1)


@pytest.mark.parametrize("reason", ["", "   ", "help"])
def test_without_a_reason_it_is_refused_and_audited(app, client, auth, world, reason):
    witness = world["witness"]
    auth.login(world["on_call"])
    response = client.post("/break-glass/", data={"reference": witness.reference, "reason": reason})
    auth.logout()
    assert response.status_code == 200
    assert "State why" in response.get_data(as_text=True)
    assert _grants() == 0
    refused = _events("break_glass.refused")
    assert [(e.actor_id, e.witness_id, e.details["why"]) for e in refused] == [
        (world["on_call"].id, witness.id, "no_reason")]


def test_a_no_break_glass_witness_is_refused_and_audited(app, client, auth, world, assess):
    witness, officer = world["witness"], world["officer"]
    assess(witness, level="critical")
    assert breakglass_ops.set_no_break_glass(officer, witness, True)
    db.session.commit()
    auth.login(world["on_call"])
    response = client.post("/break-glass/", data={"reference": witness.reference, "reason": REASON})
    auth.logout()
    text = response.get_data(as_text=True)
    assert "closed to break-glass" in text and officer.display_name in text  # whom to call instead
    assert _grants() == 0
    assert [e.details["why"] for e in _events("break_glass.refused")] == ["no_break_glass"]
    assert [e.details for e in _events("witness.no_break_glass")] == [{"to": True}]


@pytest.mark.parametrize("who", ["prosecutor", "support"])
def test_a_role_that_may_not_use_it_is_refused_and_audited(app, client, auth, world, who):
    auth.login(world[who])
    response = client.post("/break-glass/", data={"reference": world["witness"].reference, "reason": REASON})
    auth.logout()
    assert response.status_code == 200
    assert "Your role may not use break-glass" in response.get_data(as_text=True)
    assert _grants() == 0
    refused = _events("break_glass.refused")
    # Refused before the reference is looked up: the trail names no witness.
    assert [(e.actor_id, e.witness_id, e.details["why"]) for e in refused] == [(world[who].id, None, "role")]


def test_an_admin_has_no_break_glass_at_all(app, client, auth, world):
    with pytest.raises(breakglass_ops.BreakGlassRefused):
        breakglass_ops.open_break_glass(world["admin"], world["witness"].reference, REASON)
    assert [e.details["why"] for e in _events("break_glass.refused")] == ["role"]
    assert _page(client, auth, world["admin"], "/break-glass/").status_code == 404


def test_an_unknown_reference_is_refused_and_audited(app, client, auth, world):
    auth.login(world["on_call"])
    response = client.post("/break-glass/", data={"reference": "W-1999-000000", "reason": REASON})
    auth.logout()
    assert "No witness has that reference" in response.get_data(as_text=True)
    assert [e.details["why"] for e in _events("break_glass.refused")] == ["unknown_reference"]


def test_only_the_own_officer_closes_only_a_high_risk_witness(app, client, auth, world, assess):
    witness, officer = world["witness"], world["officer"]
    with pytest.raises(ValidationFailed):  # the trial fixture's assessments are not high risk
        breakglass_ops.set_no_break_glass(officer, witness, True)
    assess(witness, level="high")
    for other in (world["on_call"], world["prosecutor"]):
        with pytest.raises(NotFound):
            breakglass_ops.set_no_break_glass(other, witness, True)
    auth.login(officer)
    assert "Close to break-glass" in client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    client.post(f"/break-glass/witness/{witness.id}", data={"no_break_glass": "y"})
    assert "Open to break-glass again" in client.get(f"/witnesses/{witness.id}").get_data(as_text=True)
    client.post(f"/break-glass/witness/{witness.id}", data={})
    auth.logout()
    db.session.refresh(witness)
    assert witness.no_break_glass is False
    assert [e.details for e in _events("witness.no_break_glass")] == [{"to": True}, {"to": False}]
    auth.login(world["on_call"])
    assert client.post(f"/break-glass/witness/{witness.id}", data={"no_break_glass": "y"}).status_code == 404
    auth.logout()


def test_who_has_looked_shows_the_witness_officer_who_and_why(app, client, auth, world):
    witness, officer, on_call, prosecutor = world["witness"], world["officer"], world["on_call"], world["prosecutor"]
    assert _page(client, auth, prosecutor, f"/witnesses/{witness.id}").status_code == 200
    breakglass_ops.open_break_glass(on_call, witness.reference, REASON)
    db.session.commit()
    _page(client, auth, on_call, f"/witnesses/{witness.id}")
    # A read older than 90 days is not listed.
    old = AuditEvent(actor_id=world["supervisor"].id, action="witness.identity.view", object_type="witness",
                     object_id=witness.id, witness_id=witness.id, at=utc_now() - timedelta(days=91),
                     details={"groups": ["identity"], "because": ["case"]})
    db.session.add(old)
    db.session.commit()

    page = _page(client, auth, officer, f"/witnesses/{witness.id}").get_data(as_text=True)
    section = page.split('id="looked-title"', 1)[1].split("</section>", 1)[0]
    rows = {row.split("</td>")[0]: row for row in section.split("<tr><td>")[1:]}
    assert any("Olly Oncall" in who and "break-glass" in row and "location" in row for who, row in rows.items())
    assert any(prosecutor.display_name in who and "a case of theirs" in row and "location" not in row
               for who, row in rows.items())
    assert any(officer.display_name in who and "assigned as liaison officer" in row for who, row in rows.items())
    assert "Sue Supervisor" not in section

    # Only the witness's own officer is shown the list.
    for other in (prosecutor, on_call):
        assert 'id="looked-title"' not in _page(client, auth, other, f"/witnesses/{witness.id}").get_data(as_text=True)


def test_who_has_looked_is_one_statement(app, world, count_queries):
    from witness_support.witnesses.queries import who_has_looked

    for _ in range(3):
        witness_ops.record_identity_view(world["officer"], world["witness"])
    db.session.commit()
    db.session.refresh(world["witness"])
    with count_queries() as statements:
        looks = who_has_looked(world["witness"])
    assert len([s for s in statements if "audit_events" in s]) == len(statements) == 1
    assert [(look.name, look.times) for look in looks] == [(world["officer"].display_name, 3)]


def test_break_glass_page_lists_open_grants_and_reviews(app, client, auth, world):
    witness = world["witness"]
    breakglass_ops.open_break_glass(world["on_call"], witness.reference, REASON)
    db.session.commit()
    page = _page(client, auth, world["on_call"], "/break-glass/").get_data(as_text=True)
    assert "Open to you now" in page and witness.reference in page
    page = _page(client, auth, world["supervisor"], "/break-glass/").get_data(as_text=True)
    assert "Waiting for your review" in page and "Olly Oncall" in page

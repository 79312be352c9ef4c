"""The audit trail page as an admin uses it: actions chosen from a list, subjects named by their
references, repeated reads folded into one line with a count (while every read stays a row)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from witness_support import audit
from witness_support.admin import queries
from witness_support.audit import AuditEvent
from witness_support.db import utc_now
from witness_support.extensions import db


def _read(actor, witness, *, minutes_ago: float, action: str = "witness.identity.view", ip: str | None = None):  # noqa: ANN001
    event = audit.record(action, witness, actor=actor, details={"via": "schedule"})
    event.at = utc_now() - timedelta(minutes=minutes_ago)
    event.ip = ip
    return event


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[1:]


def test_the_action_filter_offers_the_actions_on_the_trail_and_their_families(client, auth, admin, officer,
                                                                               make_witness):
    witness = make_witness()
    _read(officer, witness, minutes_ago=1)
    db.session.commit()
    auth.login(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    select = page.split('<select', 1)[1].split("</select>", 1)[0]
    assert '<option value="witness.identity.view">' in select and '<option value="witness.create">' in select
    assert '<option value="witness.*">' in select  # the whole family at once
    assert '<option value="nothing.happened">' not in select
    assert '<input' not in select

    family = client.get("/admin/audit?action=witness.*").get_data(as_text=True)
    actions = {row.split("<td>")[3].split(" ", 1)[0].split("<", 1)[0] for row in _rows(family)}
    assert actions == {"witness.create", "witness.identity.view"}
    exact = client.get("/admin/audit?action=witness.create").get_data(as_text=True)
    assert len(_rows(exact)) == 1 and "witness.identity.view" not in exact.split("<tbody>")[1]


def test_existing_actions_lists_each_name_once_in_order(app, officer, make_witness):
    witness = make_witness()
    for minutes in (3, 2, 1):
        _read(officer, witness, minutes_ago=minutes)
    db.session.flush()
    actions = queries.existing_actions()
    assert actions == sorted(set(actions))
    assert {"witness.create", "witness.identity.view"} <= set(actions)
    assert queries.action_prefixes(["a.b", "a.c", "b.c", "plain"]) == ["a"]


def test_subjects_are_named_by_reference_in_one_statement_however_many_rows(
    client, auth, admin, officer, make_journey, make_witness, make_event, count_queries
):
    journey = make_journey()
    witness, case = journey.witness, journey.case
    event = make_event(case, [witness])
    audit.record("user.update", officer, actor=admin)
    db.session.commit()
    auth.login(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"Witness {witness.reference}" in page and f"Case {case.reference}" in page
    assert f"Court event #{event.id} of case {case.reference}" in page
    assert f"Account {officer.email}" in page
    assert "witness #" not in page

    with count_queries() as few:
        client.get("/admin/audit")
    for n in range(30):
        audit.record("court_event.viewed_in_test", event, actor=officer)
        audit.record("case.viewed_in_test", case, actor=officer)
        _read(officer, make_witness(), minutes_ago=n)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/audit").get_data(as_text=True)
    assert len(_rows(page)) > 90
    assert len(many) == len(few)


def test_repeated_reads_are_one_line_with_a_count_and_every_read_stays(client, auth, admin, officer, make_witness):
    witness, other = make_witness(), make_witness()
    _read(officer, witness, minutes_ago=40)  # an earlier visit: a line of its own
    for minutes in (12, 5, 1):  # one person rereading the schedule: each gap under the window
        _read(officer, witness, minutes_ago=minutes)
    _read(officer, other, minutes_ago=2)  # another witness: a line of its own
    db.session.commit()
    auth.login(admin)
    page = client.get(f"/admin/audit?action=witness.identity.view&witness={witness.reference}").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 2
    assert "3 times" in rows[0] and "since" in rows[0] and "times" not in rows[1]

    exported = client.get(f"/admin/audit.csv?action=witness.identity.view&witness={witness.reference}")
    lines = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(lines) == 4  # nothing dropped
    assert {line["subject"] for line in lines} == {f"Witness {witness.reference}"}
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.witness_id == witness.id, AuditEvent.action == "witness.identity.view"))
    assert stored == 4


def test_changes_and_reads_from_another_address_are_never_folded(app, officer, make_witness):
    witness = make_witness()
    _read(officer, witness, minutes_ago=1, ip="192.0.2.1")
    _read(officer, witness, minutes_ago=2, ip="192.0.2.2")
    for minutes in (3, 4):
        _read(officer, witness, minutes_ago=minutes, action="witness.update")
    db.session.flush()
    query = sa.select(AuditEvent).where(AuditEvent.witness_id == witness.id, AuditEvent.action != "witness.create")
    entries = queries.fold_repeats(queries.page_rows(query.order_by(AuditEvent.id.desc()), 50))
    assert [entry.count for entry in entries] == [1, 1, 1, 1]

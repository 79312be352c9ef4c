"""Scale: the next court date kept current, keyset pages, need-to-know for broad caseloads, the
bulk demo seed (every row within the models' rules), and the benchmark's floors, which only the
bench registers (the product has no such route)."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from witness_support import access as perms
from witness_support.court import operations as court_ops
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.witnesses.models import Witness


def _fresh(witness: Witness) -> Witness:
    db.session.expire_all()
    return db.session.get(Witness, witness.id)


def test_next_court_date_follows_schedule_move_cancel_and_held(app, officer, make_case, make_journey, make_event):
    case = make_case()
    journey = make_journey(case=case)
    witness = journey.witness
    assert _fresh(witness).next_court_at is None
    late = make_event(case, [witness], kind="mention", days=20)
    assert _fresh(witness).next_court_at == late.starts_at
    soon = make_event(case, [witness], kind="mention", days=5)
    assert _fresh(witness).next_court_at == soon.starts_at
    # Moved after the other one: the other becomes the next date.
    court_ops.move_event(officer, soon, starts_at=late.starts_at + timedelta(days=3),
                         ends_at=late.starts_at + timedelta(days=3, hours=2), reason="Adjourned by the court.")
    db.session.commit()
    assert _fresh(witness).next_court_at == late.starts_at
    court_ops.cancel_event(officer, db.session.get(type(late), late.id), "Vacated.")
    db.session.commit()
    assert _fresh(witness).next_court_at == db.session.get(type(soon), soon.id).starts_at
    court_ops.cancel_event(officer, db.session.get(type(soon), soon.id), "Vacated.")
    db.session.commit()
    assert _fresh(witness).next_court_at is None


def test_next_court_date_when_a_witness_is_added_and_when_held(app, officer, make_case, make_journey, make_event):
    case = make_case()
    first, second = make_journey(case=case).witness, make_journey(case=case).witness
    event = make_event(case, [first], kind="mention", days=9)
    court_ops.add_required_witness(officer, event, db.session.get(Witness, second.id))
    db.session.commit()
    assert _fresh(second).next_court_at == event.starts_at
    # Held (it has started): no longer upcoming.
    court_ops.mark_event_held(officer, event, now=event.starts_at + timedelta(hours=1))
    db.session.commit()
    assert _fresh(first).next_court_at is None
    assert _fresh(second).next_court_at is None


def test_passed_next_court_dates_are_refreshed(app, officer, make_case, make_journey, make_event):
    case = make_case()
    witness = make_journey(case=case).witness
    near = make_event(case, [witness], kind="mention", days=2)
    far = make_event(case, [witness], kind="mention", days=40)
    assert _fresh(witness).next_court_at == near.starts_at
    # Time passes beyond the first event (nobody marked it held): one UPDATE moves on to the next.
    changed = court_ops.refresh_next_court_dates(now=near.starts_at + timedelta(hours=1))
    db.session.commit()
    assert changed == 1
    assert _fresh(witness).next_court_at == far.starts_at


def test_upcoming_list_sorted_by_next_court_date_with_keyset_pages(
    app, client, auth, officer, make_case, make_journey, make_event, count_queries
):
    case = make_case()
    witnesses = [make_journey(case=case).witness for _ in range(3)]
    for days, witness in zip((30, 10, 20), witnesses, strict=True):
        make_event(case, [witness], kind="mention", days=days)
    make_journey(case=case)  # no court date: not in the upcoming list
    auth.login(officer)
    body = client.get("/witnesses/?sort=next_court").get_data(as_text=True)
    refs = [w.reference for w in (witnesses[1], witnesses[2], witnesses[0])]
    positions = [body.index(ref) for ref in refs]
    assert positions == sorted(positions)
    # The keyset cursor: after the second one, only the third remains.
    after = client.get(f"/witnesses/?sort=next_court&after={witnesses[2].id}").get_data(as_text=True)
    assert witnesses[0].reference in after
    assert witnesses[1].reference not in after and witnesses[2].reference not in after


@pytest.mark.parametrize("rows", [3, 12])
def test_upcoming_list_query_count_is_fixed(app, client, auth, make_user, make_case, make_journey, make_event,
                                            count_queries, rows):
    officer = make_user("liaison_officer")
    case = make_case(by=officer)
    for n in range(rows):
        make_event(case, [make_journey(case=case, by=officer).witness], kind="mention", days=5 + n)
    auth.login(officer)
    db.session.remove()
    with count_queries() as statements:
        response = client.get("/witnesses/?sort=next_court")
    assert response.status_code == 200
    # user with session, stale dates, the filter choices, caseload, the page with its journeys, the
    # "offender at large" flags
    assert len(statements) == 6


def test_broad_caseload_sees_exactly_what_visible_witness_ids_allows(
    app, monkeypatch, officer, make_user, make_case, make_witness, make_journey
):
    other = make_user("liaison_officer")
    mine = [make_journey(case=make_case(by=officer)).witness for _ in range(3)]
    make_journey(witness=make_witness(by=other), case=make_case(by=other), by=other)  # not visible to the officer
    from witness_support.witnesses.views import list_witnesses

    narrow = [w.id for w in list_witnesses(officer)]
    monkeypatch.setattr(perms, "BROAD_CASELOAD", 0)  # every caseload counts as broad now
    assert perms.has_broad_caseload(officer)
    broad = [w.id for w in list_witnesses(officer)]
    assert broad == narrow
    assert sorted(broad) == sorted(w.id for w in mine)
    paged = [w.id for w in list_witnesses(officer, after=broad[0])]
    assert paged == broad[1:]


@pytest.mark.parametrize("identity", [True, False])  # the API's ORM objects, the page's plain rows
def test_broad_caseload_merges_assigned_and_case_witnesses_in_small_pages(
    app, monkeypatch, officer, make_user, make_case, make_witness, make_journey, make_event, identity
):
    """The broad list merges a page of the officer's case witnesses with a page of the witnesses
    assigned to them directly: every page, in both orders, is the narrow list's page."""
    from witness_support.witnesses import operations as witness_ops
    from witness_support.witnesses.views import list_witnesses

    other = make_user("liaison_officer")
    by_case = [make_journey(case=make_case(by=officer)).witness for _ in range(4)]
    theirs = [make_journey(witness=make_witness(by=other), case=make_case(by=other), by=other).witness
              for _ in range(4)]
    for witness in theirs[:3]:  # assigned to the officer directly, in cases that are not theirs
        assignment = witness_ops.assign_support(other, witness, officer, "liaison_officer")
    witness_ops.end_assignment(other, assignment)  # the last of them no longer
    for days, witness in enumerate(by_case + theirs, start=3):
        make_event(witness.journeys[0].case, [witness], kind="mention", days=days, by=officer if witness in by_case
                   else other)
    db.session.commit()
    visible = {w.id for w in by_case + theirs[:2]}

    def pages(**kwargs: object) -> list[list[int]]:
        result, after = [], None
        while True:
            page = [w.id for w in list_witnesses(officer, after=after, limit=2, identity=identity, **kwargs)]
            if not page:
                return result
            result.append(page)
            after = page[-1]

    narrow = [pages(), pages(by_next_court=True)]
    monkeypatch.setattr(perms, "BROAD_CASELOAD", 0)
    assert perms.has_broad_caseload(officer)
    assert [pages(), pages(by_next_court=True)] == narrow
    newest_first, soonest_first = narrow
    assert [i for page in newest_first for i in page] == sorted(visible, reverse=True)
    assert {i for page in soonest_first for i in page} == visible
    assert all(len(page) == 2 for page in newest_first)


def test_readiness_dashboard_pages_by_keyset(app, client, auth, prosecutor, make_case, make_event, monkeypatch):
    from witness_support.court import readiness

    monkeypatch.setattr(readiness, "DASHBOARD_PAGE_SIZE", 2)
    case = make_case(by=prosecutor)
    events = [make_event(case, kind="trial_day", days=d) for d in (3, 1, 2)]
    auth.login(prosecutor)
    first = client.get("/court/readiness").get_data(as_text=True)
    soonest = sorted(events, key=lambda e: e.starts_at)
    assert f"trial-{soonest[0].id}" in first and f"trial-{soonest[1].id}" in first
    assert f"trial-{soonest[2].id}" not in first
    assert f"/court/readiness?after={soonest[1].id}" in first
    second = client.get(f"/court/readiness?after={soonest[1].id}").get_data(as_text=True)
    assert f"trial-{soonest[2].id}" in second and f"trial-{soonest[0].id}" not in second
    assert client.get("/court/readiness?after=x").status_code == 400


def test_broad_dashboard_matches_the_narrow_one(app, monkeypatch, prosecutor, make_user, make_case, make_event):
    from witness_support.court import readiness
    from witness_support.court.models import CourtEvent

    mine, theirs = make_case(by=prosecutor), make_case(by=make_user("prosecutor"))
    for days in (1, 4):
        make_event(mine, kind="trial_day", days=days)
        make_event(theirs, kind="trial_day", days=days)
    narrow = [t.event.id for t in readiness.dashboard(prosecutor)]
    narrow_pages = [[t.event.id for t in readiness.dashboard(prosecutor, limit=1)],
                    [t.event.id for t in readiness.dashboard(prosecutor, after=narrow[0], limit=1)]]
    monkeypatch.setattr(perms, "BROAD_CASELOAD", 0)  # every caseload counts as broad now
    assert perms.has_broad_caseload(prosecutor)
    broad = [t.event.id for t in readiness.dashboard(prosecutor)]
    broad_pages = [[t.event.id for t in readiness.dashboard(prosecutor, limit=1)],
                   [t.event.id for t in readiness.dashboard(prosecutor, after=broad[0], limit=1)]]
    assert broad == narrow and len(narrow) == 2
    assert broad_pages == narrow_pages == [[narrow[0]], [narrow[1]]]
    mine_ids = db.session.execute(sa.select(CourtEvent.id).where(CourtEvent.case_id == mine.id)).scalars()
    assert set(mine_ids) == set(narrow)


def _with_floors(app: Flask) -> Flask:
    """The floors, as the bench's own WSGI entry registers them (before the app's first request)."""
    from bench.floor import register

    register(app)
    return app


@pytest.mark.real_commits
def test_the_product_has_no_benchmark_route_in_any_configuration(app_config, client):
    from witness_support import create_app

    for extra in ({}, {"BENCHMARK": True}, {"DEBUG": True}):
        product = create_app(dict(app_config, **extra))
        assert not any(rule.rule.startswith("/_bench") for rule in product.url_map.iter_rules()), extra
    assert client.get("/_bench/hello").status_code == 404


@pytest.mark.real_commits
@pytest.mark.own_app  # registers the floors' routes
def test_the_bench_registers_its_floors(app, client):
    _with_floors(app)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {"/_bench/hello", "/_bench/table", "/_bench/witnesses", "/_bench/readiness"} <= rules
    assert client.get("/_bench/hello").get_data(as_text=True) == "Hello, world"
    # The floors with data still need a signed-in person with the permission.
    assert client.get("/_bench/witnesses").status_code == 302


@pytest.mark.real_commits
@pytest.mark.own_app  # registers the floors' routes
def test_benchmark_floor_renders_the_same_rows_as_the_page(app, client, auth, officer, make_case, make_journey,
                                                           make_event, assess):
    _with_floors(app)
    from witness_support.remedies import operations as remedies_ops

    case = make_case()
    for days in (3, 8):
        witness = make_journey(case=case).witness
        assess(witness)
        make_event(case, [witness], kind="trial_day", days=days)
    # The remedies findings: a permit expiring before the later trial day, a pending charge.
    remedies_ops.record_permit(officer, witness, kind="temporary_witness", issued_on=today_utc() - timedelta(days=9),
                               expires_on=today_utc() + timedelta(days=5))
    remedies_ops.record_charge(officer, witness, offence="immigration", arose_from_trafficking="yes")
    db.session.commit()
    auth.login(officer)
    pages = (("/witnesses/", "/_bench/witnesses"), ("/witnesses/?sort=next_court", "/_bench/witnesses?sort=next_court"))
    for ours, floor in pages:
        a, b = client.get(ours).get_data(as_text=True), client.get(floor).get_data(as_text=True)
        refs = sorted(set(re.findall(r"W-\d{4}-\d+", a)))
        assert refs and refs == sorted(set(re.findall(r"W-\d{4}-\d+", b)))
    a = client.get("/court/readiness").get_data(as_text=True)
    b = client.get("/_bench/readiness").get_data(as_text=True)
    for marker in ("0/1 ready", "blocker-no_support_person", "blocker-no_familiarisation_visit",
                   "blocker-permit_expires", "note-charge_pending"):
        assert a.count(marker) == b.count(marker) > 0
    # The same-sized in-memory floor of the dashboard under wrk is the very same page.
    time.sleep(1.1)  # a later second: another CSRF token, which the comparison must leave out
    c = client.get("/_bench/readiness-table").get_data(as_text=True)

    def same(html: str) -> str:  # but for the per-response nonce and CSRF token
        return re.sub(r'(nonce|content|value)="[A-Za-z0-9_\-.+/=]{16,}"', "", html)

    assert "blocker-no_support_person" in c and same(c) == same(a)


@pytest.mark.real_commits
def test_bulk_seed_is_deterministic_and_the_ledger_verifies(app, tmp_path):
    from witness_support import bulk_demo
    from witness_support.demo import seed_demo
    from witness_support.ledger import operations as ledger_ops

    seed_demo(count=1001, seed=7)
    counts = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: S608
              for t in ("witnesses", "court_events", "testimonial_aids", "benefit_entries", "notifications")}
    assert counts == {"witnesses": 1001, "court_events": 1001 * bulk_demo.EVENTS_PER_WITNESS,
                      "testimonial_aids": 1001 * bulk_demo.AIDS_PER_WITNESS,
                      "benefit_entries": 1001 * bulk_demo.BENEFITS_PER_WITNESS,
                      "notifications": 1001 * bulk_demo.NOTICES_PER_WITNESS}
    run = ledger_ops.verify_ledger(trigger="test")
    assert run.ok, run.message
    witness = db.session.get(Witness, 7)
    assert witness.legal_name and witness.legal_name.count(" ") == 2  # decrypts: really encrypted with our keys
    raw = db.session.execute(sa.text("SELECT legal_name FROM witnesses WHERE id = 7")).scalar()
    assert witness.legal_name not in raw
    upcoming = db.session.execute(sa.select(sa.func.count()).where(Witness.next_court_at > utc_now())).scalar()
    assert upcoming > 0
    references = db.session.execute(sa.select(Witness.reference).order_by(Witness.id).limit(5)).scalars().all()
    assert references == [f"W-0007-{n:07d}" for n in range(1, 6)]


@pytest.mark.real_commits  # the bulk seed sets PRAGMA synchronous, refused inside a transaction
def test_every_bulk_demo_row_keeps_the_models_rules(app):
    """Bulk rows bypass the operations, so each enumerated column holds a member of its model's enum,
    each NOT NULL column a value, each text no more than its column holds (SQLite would not refuse
    it), and each row the table's CHECK constraints (checked by the database at insert)."""
    from witness_support.aids.models import AidKind, AidStatus
    from witness_support.cases.models import CaseRole, CustodyStatus, Stage
    from witness_support.court.models import EventKind, EventStatus
    from witness_support.custody import models as custody
    from witness_support.custody import queries as custody_queries
    from witness_support.demo import seed_demo
    from witness_support.ledger.models import BenefitKind
    from witness_support.notifications.models import Channel, Kind, Status
    from witness_support.outcomes.models import SentenceKind, Verdict
    from witness_support.remedies.models import (
        CaseDependence,
        ClaimStatus,
        HeadOfLoss,
        PermitKind,
        Respondent,
        Route,
    )
    from witness_support.witnesses.models import AgeAssessment, AssignmentRole, Participation, RiskLevel

    seed_demo(count=1001, seed=11)
    enums = {
        ("cases", None): None,
        ("defendants", "custody_status"): CustodyStatus, ("case_assignments", "role"): CaseRole,
        ("journeys", "stage"): Stage, ("witnesses", "participation"): Participation,
        ("witnesses", "age_assessment"): AgeAssessment, ("witnesses", "current_risk_level"): RiskLevel,
        ("witness_assignments", "role"): AssignmentRole, ("risk_assessments", "stage"): Stage,
        ("risk_assessments", "level"): RiskLevel, ("court_events", "kind"): EventKind,
        ("court_events", "status"): EventStatus, ("court_event_attendance", "role"): AssignmentRole,
        ("testimonial_aids", "kind"): AidKind, ("testimonial_aids", "status"): AidStatus,
        ("benefit_entries", "kind"): BenefitKind, ("notifications", "kind"): Kind,
        ("notifications", "status"): Status, ("notifications", "channel"): Channel,
        ("outcomes", "verdict"): Verdict, ("outcomes", "sentence_kind"): SentenceKind,
        ("custody_events", "kind"): custody.EventKind, ("bail_conditions", "kind"): custody.ConditionKind,
        ("journey_transitions", "from_stage"): Stage, ("journey_transitions", "to_stage"): Stage,
        ("compensation_claims", "route"): Route, ("compensation_claims", "respondent"): Respondent,
        ("compensation_claims", "status"): ClaimStatus, ("residence_permits", "kind"): PermitKind,
        ("residence_permits", "depends_on_case"): CaseDependence,
    }
    for (table, column), enum in enums.items():
        if column is None:
            continue
        values = set(db.session.execute(sa.text(f"SELECT DISTINCT {column} FROM {table}")).scalars())  # noqa: S608
        assert values, (table, column)
        assert values - {None} <= {member.value for member in enum}, (table, column, values)
    for table in {t for t, _ in enums}:
        columns = db.metadata.tables[table].columns
        rows = db.session.execute(sa.select(*columns)).mappings().all()
        assert rows, table
        for column in columns:
            if not column.nullable:
                assert all(r[column.name] is not None for r in rows), (table, column.name)
            length = getattr(column.type, "length", None)
            if length and isinstance(column.type, sa.String):
                assert all(len(r[column.name]) <= length for r in rows if isinstance(r[column.name], str)), (
                    table, column.name)
    # Custody histories as the custody operations record them: every defendant has one, its status
    # follows the latest standing entry, dates only where the kind has them, never before the entry,
    # nothing in the future but a scheduled hearing, a correction names an earlier entry of the same
    # defendant, and a no-contact condition names a witness of the case.
    events = db.session.execute(sa.select(custody.CustodyEvent)).scalars().all()
    by_defendant: dict[int, list] = {}
    for event in events:
        by_defendant.setdefault(event.defendant_id, []).append(event)
        assert event.occurred_at <= event.learned_at <= utc_now()
        assert (event.hearing_on is not None) == (event.kind == custody.EventKind.PAROLE_HEARING)
        if event.release_date is not None:
            assert event.kind in (custody.EventKind.SENTENCED, custody.EventKind.RELEASED,
                                  custody.EventKind.TEMPORARY_RELEASE)
            assert event.release_date >= event.occurred_at.date()
        if event.corrects_id is not None:
            corrected = db.session.get(custody.CustodyEvent, event.corrects_id)
            assert corrected.defendant_id == event.defendant_id and corrected.id < event.id and event.note
    defendants = db.session.execute(sa.text("SELECT id, custody_status FROM defendants")).all()
    assert {d for d, _ in defendants} == set(by_defendant)
    for defendant_id, status in defendants:
        current = custody_queries.current_event(by_defendant[defendant_id])
        assert status == custody.STATUS_AFTER[custody.EventKind(current.kind)], defendant_id
    assert {status for _, status in defendants} >= {"remanded", "bailed", "at_large", "sentenced", "released",
                                                    "temporary_release"}
    assert {e.kind for e in events} >= {"parole_hearing", "temporary_release", "released"}
    assert any(e.corrects_id for e in events)
    for condition in db.session.execute(sa.select(custody.BailCondition)).scalars():
        assert condition.event.kind in custody.BAIL_KINDS
        if condition.witness_id is not None:
            assert db.session.execute(sa.text("SELECT count(*) FROM journeys WHERE witness_id = :w AND case_id = :c"),
                                      {"w": condition.witness_id, "c": condition.event.case_id}).scalar() == 1
    heads = {h for (heads_of_loss,) in db.session.execute(sa.text("SELECT heads_of_loss FROM compensation_claims"))
             for h in (heads_of_loss if isinstance(heads_of_loss, list) else json.loads(heads_of_loss))}
    assert heads and heads <= {member.value for member in HeadOfLoss}
    # What the officers' home pages read: closed journeys still enrolled, claims with key dates,
    # permits near expiry, the reminders raised for them by the real pass, officers with a caseload.
    from witness_support.cases.models import Journey
    from witness_support.tasks.models import Task

    assert db.session.execute(sa.select(sa.func.count()).where(Journey.stage == Stage.CLOSED)).scalar() > 0
    kinds = set(db.session.execute(sa.select(Task.kind).distinct()).scalars())
    assert {"remedy_permit_expiry", "remedy_claim_date"} <= kinds, kinds
    held = db.session.execute(sa.text(
        "SELECT user_id, count(*) FROM witness_assignments WHERE role = 'liaison_officer' AND ended_at IS NULL"
        " GROUP BY user_id")).all()
    assert len(held) == 10 and all(n >= 60 for _, n in held)  # 15 cases of 4 (case 1 has a 1,001st)


def test_small_demo_is_unchanged(app):
    from witness_support.demo import seed_demo

    seed_demo(count=5, seed=3)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Witness)).scalar() == 5
    # The operations made them: random references, not the bulk pattern.
    assert not any(r.startswith("W-0003-") for r in db.session.execute(sa.select(Witness.reference)).scalars())


def test_case_assignment_for_broad_caseload_is_bounded(app, officer, make_case, monkeypatch):
    monkeypatch.setattr(perms, "BROAD_CASELOAD", 2)
    assert not perms.has_broad_caseload(officer)
    for _ in range(3):
        make_case(by=officer)  # the creator is assigned to the case
    assert perms.has_broad_caseload(officer)


def test_home_panels_of_a_broad_caseload_match_the_narrow_ones(
    app, monkeypatch, officer, make_user, make_case, make_witness, make_journey
):
    """first_visible (the home page's panels) merges two streams for a broad caseload: the same
    first rows as the narrow filter, in the same order, and nothing the officer may not see."""
    from witness_support.witnesses import operations as witness_ops

    other = make_user("liaison_officer")
    mine = [make_journey(case=make_case(by=officer)).witness for _ in range(3)]
    theirs = [make_journey(witness=make_witness(by=other), case=make_case(by=other), by=other).witness
              for _ in range(3)]
    witness_ops.assign_support(other, theirs[0], officer, "liaison_officer")  # seen through the assignment
    db.session.commit()
    visible = sorted(w.id for w in mine + theirs[:1])

    def first(limit: int) -> list[int]:
        query = sa.select(Witness).where(Witness.next_review_on.is_(None)).order_by(Witness.id.desc())
        return [w.id for w in db.session.execute(
            perms.first_visible(officer, query, Witness.id, Witness.id, limit)).scalars()]

    narrow = [first(2), first(10)]
    monkeypatch.setattr(perms, "BROAD_CASELOAD", 0)
    assert [first(2), first(10)] == narrow == [sorted(visible, reverse=True)[:2], sorted(visible, reverse=True)]


@pytest.mark.real_commits  # the floor reads through its own connection of the raw driver
@pytest.mark.own_app  # registers the floors' routes
@pytest.mark.parametrize("broad", [False, True])
def test_home_floor_renders_the_same_page_as_the_home_page(
    app, client, auth, monkeypatch, officer, make_user, make_case, make_journey, make_witness, make_event, broad
):
    """The bench's one-statement home page (/_bench/home) shows the very rows of the officer's home
    page, byte for byte but for the nonce and CSRF token: court this week, aftercare, tasks,
    undelivered notices, overdue reviews (with the 'offender at large' flag), reflection periods."""
    from datetime import timedelta

    from tests.helpers import future, review_before_closing
    from witness_support.cases import operations as case_ops
    from witness_support.custody import operations as custody_ops
    from witness_support.db import today_utc
    from witness_support.notifications.models import Notification
    from witness_support.tasks.operations import create_task

    _with_floors(app)
    today, now = today_utc(), utc_now()
    case = make_case(court_timezone="UTC")
    case_ops.add_defendant(officer, case, name="Invented Defendant (at large)", custody_status="at_large")
    witnesses = [make_journey(case=case).witness for _ in range(3)]
    for n, witness in enumerate(witnesses):
        witness.next_review_on = today - timedelta(days=3 + n)  # overdue reviews, the flag at large
        make_event(case, [witness], kind="trial_day", days=2 + n)
        db.session.add(Notification(witness_id=witness.id, kind="hearing_date", dedup_key=f"home-floor-{n}",
                                    triggered_at=now - timedelta(days=3), status="failed",
                                    deadline_at=now - timedelta(days=1 + n)))
    witnesses[0].reflection_start, witnesses[0].reflection_end = today - timedelta(days=2), today + timedelta(days=20)
    create_task(officer, "check_in", f"Call {witnesses[1].reference}", witness_id=witnesses[1].id, case_id=case.id,
                due_at=now - timedelta(hours=5), urgent=True)
    create_task(officer, "check_in", "Plan the week", due_at=now + timedelta(days=2))
    # A closed journey still enrolled, its defendant sentenced with a release in 12 days.
    closed_case = make_case(court_timezone="UTC")
    defendant = case_ops.add_defendant(officer, closed_case, name="Invented Defendant", custody_status="remanded")
    journey = make_journey(witness=make_witness(), case=closed_case)
    review_before_closing(officer, journey)
    custody_ops.close_journey(officer, journey, reason="Trial over", stay_enrolled=True)
    custody_ops.record_custody_event(officer, defendant, kind="sentenced", source="Court record",
                                     occurred_at=utc_now(), release_date=future(12))
    make_journey(case=make_case(by=make_user("liaison_officer")))  # another officer's: on neither page
    db.session.commit()
    if broad:
        monkeypatch.setattr(perms, "BROAD_CASELOAD", 0)  # the two-stream shape, in the page and the floor
    auth.login(officer)
    client.get("/")

    def same(html: str) -> str:  # but for the per-response nonce and CSRF token
        return re.sub(r'(nonce|content|value)="[A-Za-z0-9_\-.+/=]{16,}"', "", html)

    ours = client.get("/").get_data(as_text=True)
    floor = client.get("/_bench/home").get_data(as_text=True)
    for shown in ("Offender at large", "a release on ", "Plan the week", "Failed", "Trial day",
                  witnesses[0].reference, "until "):
        assert shown in ours, shown
    assert same(floor) == same(ours)

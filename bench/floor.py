"""The floors the benchmark (bench/run.py) measures our pages against. Only the bench registers
them (bench/wsgi.py for gunicorn, bench/run.py in process): the product has no such route.

- /_bench/hello: a hello-world endpoint (the throughput ceiling of the stack);
- /_bench/table: the witness list template rendering 50 rows held in memory (no database);
- /_bench/readiness-table: the readiness dashboard's page 1 rendered from memory (same size);
- /_bench/witnesses and /_bench/readiness: the same rows as the real pages, fetched with ONE
  hand-written SQL statement through the raw driver (no ORM), rendered with the same template.
"""

# Fixed SQL text assembled from constant pieces; every value is a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask_login import current_user

from witness_support.court import readiness
from witness_support.court.operations import MAX_EVENT_HOURS
from witness_support.db import today_utc, utc_now
from witness_support.extensions import db
from witness_support.permissions import Permission
from witness_support.web import permission_required
from witness_support.witnesses.forms import NameSearchForm, WitnessFilterForm
from witness_support.witnesses.models import Witness

bp = Blueprint("bench_floor", __name__, url_prefix="/_bench")


class _Witness(SimpleNamespace):
    """A plain row with the few behaviours the templates call, borrowed from the model."""

    is_child_on = Witness.is_child_on
    is_child = Witness.is_child
    high_risk = Witness.high_risk


def _raw(sql: str, params: list[Any]) -> list[tuple]:
    """Run one statement through the DB-API driver itself (%s placeholders, as psycopg takes them)."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        sql = sql.replace("%s", "?")
        params = [p.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") if isinstance(p, datetime) else p
                  for p in params]
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
        return rows
    finally:
        connection.close()


def _instant(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if value is not None and value.tzinfo else (value and value.replace(tzinfo=UTC))
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


_ASSIGNED = ("SELECT DISTINCT w.id, w.next_court_at FROM witness_assignments a JOIN witnesses w ON w.id = a.witness_id"
             " WHERE a.user_id = %s AND a.ended_at IS NULL AND a.starts_on <= %s"
             " AND (a.ends_on IS NULL OR a.ends_on >= %s)")
# Nested EXISTS, as permissions.witness_in_visible_case: with a JOIN inside, PostgreSQL merges the
# journeys from the top and walks 50,000 of them to reach page 1,000.
_IN_CASES = ("SELECT w.id FROM witnesses w WHERE EXISTS (SELECT 1 FROM journeys j2 WHERE j2.witness_id = w.id"
             " AND EXISTS (SELECT 1 FROM case_assignments ca WHERE ca.case_id = j2.case_id AND ca.user_id = %s"
             " AND ca.ended_at IS NULL))")


@bp.route("/hello")
def hello() -> str:
    return "Hello, world"


_TABLE_ROWS = [
    _Witness(id=n, reference=f"W-2026-{n:06d}", current_risk_level=("low", "high")[n % 2],
             next_review_on=date(2026, 12, 1), participation="participating", presumed_child=False,
             age_assessment="none", date_of_birth=date(1990, 1, 1), next_court_at=None,
             journeys=[SimpleNamespace(stage="pre_trial")])
    for n in range(1, 51)
]


@bp.route("/table")
def table() -> str:
    """The witness list page with 50 rows from memory: what a page costs without a database."""
    form = WitnessFilterForm(formdata=None)
    form.case_suggestions = [f"CASE-{n:04d}" for n in range(50)]
    return render_template("witnesses/index.html", witnesses=_TABLE_ROWS, next_after=51, today=today_utc(),
                           search_form=NameSearchForm(formdata=None), filter_form=form,
                           filter_args={}, filtered=False, searched=False, by_next_court=False)


def _filter_form(uid: int) -> WitnessFilterForm:
    """The list's filter form with the same choices as the page's, read in one raw statement."""
    form = WitnessFilterForm(formdata=None)
    rows = _raw(
        "SELECT 'case' AS kind, latest.id, latest.reference AS label FROM (SELECT c.id, c.reference FROM cases c"
        " WHERE c.id IN (SELECT case_id FROM case_assignments WHERE user_id = %s AND ended_at IS NULL)"
        " ORDER BY c.id DESC LIMIT 50) AS latest"
        " UNION ALL SELECT 'officer', u.id, u.display_name FROM users u"
        " WHERE u.role = 'liaison_officer' AND u.active ORDER BY 1, 3", [uid])
    form.case_suggestions = [label for kind, _i, label in rows if kind == "case"]
    form.officer.choices = {"": "Anyone", "none": "Nobody (no liaison officer)",
                            **{str(i): label or f"Officer {i}" for kind, i, label in rows if kind == "officer"}}
    return form


@bp.route("/witnesses")
@permission_required(Permission.WITNESS_LIST)
def witnesses() -> str:
    """Page 1 (or ?after=) of the witness list, or ?sort=next_court, in one raw statement."""
    try:
        after = int(request.args["after"]) if request.args.get("after") else None
    except ValueError:
        abort(400)
    by_next_court = request.args.get("sort") == "next_court"
    today, uid = today_utc(), current_user.id
    keyset, keyset_params = "", []
    if by_next_court:
        keyset = " AND w.next_court_at IS NOT NULL"
        order = "w.next_court_at, w.id"
        if after is not None:
            keyset += (" AND (w.next_court_at > (SELECT next_court_at FROM witnesses WHERE id = %s)"
                       " OR (w.next_court_at = (SELECT next_court_at FROM witnesses WHERE id = %s) AND w.id > %s))")
            keyset_params = [after, after, after]
    else:
        order = "w.id DESC"
        if after is not None:
            keyset = " AND w.id < %s"
            keyset_params = [after]
    # The same need-to-know rule and shape as list_witnesses for a broad caseload: a page of the
    # witnesses assigned to the user and a page of those in the user's cases, merged.
    page = "SELECT id FROM ({} " + keyset + " ORDER BY " + order + " LIMIT 51) p"
    sql = (
        "SELECT w.id, w.reference, w.current_risk_level, w.next_review_on, w.participation, w.presumed_child,"  # nosec B608
        " w.age_assessment, w.date_of_birth, w.next_court_at, j.stage FROM ("
        " SELECT * FROM witnesses w WHERE w.id IN (" + page.format(_ASSIGNED) + " UNION ALL "
        + page.format(_IN_CASES) + ")" + keyset + " ORDER BY " + order + " LIMIT 51) w"
        " LEFT JOIN journeys j ON j.witness_id = w.id ORDER BY " + order + ", j.id"
    )
    params: list[Any] = [uid, today, today, *keyset_params, uid, *keyset_params, *keyset_params]
    dob = Witness.__table__.c.date_of_birth.type
    rows: dict[int, _Witness] = {}
    for (wid, ref, risk, review, participation, child, age, birth, next_court, stage) in _raw(sql, params):
        witness = rows.get(wid)
        if witness is None:
            witness = rows[wid] = _Witness(
                id=wid, reference=ref, current_risk_level=risk, next_review_on=_day(review),
                participation=participation, presumed_child=bool(child), age_assessment=age,
                date_of_birth=dob.process_result_value(birth, db.engine.dialect), next_court_at=_instant(next_court),
                journeys=[])
        if stage is not None:
            witness.journeys.append(SimpleNamespace(stage=stage))
    page = list(rows.values())
    next_after = page[49].id if len(page) > 50 else None
    return render_template("witnesses/index.html", witnesses=page[:50], next_after=next_after, today=today,
                           search_form=NameSearchForm(formdata=None), filter_form=_filter_form(uid),
                           filter_args={}, filtered=False, searched=False, by_next_court=by_next_court)


@bp.route("/readiness")
@permission_required(Permission.READINESS_VIEW)
def readiness_page() -> str:
    """Page 1 of the readiness dashboard: events, witnesses and every readiness input in one statement
    (written for a broad caseload, which the benchmark's national officer has)."""
    today, now, uid = today_utc(), utc_now(), current_user.id
    config = current_app.config
    end = now + timedelta(days=config["READINESS_WINDOW_DAYS"])
    agg = "group_concat({})" if db.engine.dialect.name == "sqlite" else "string_agg({}, ',')"
    since = today - timedelta(days=config["RISK_ASSESSMENT_MAX_AGE_DAYS"])
    sql = (
        "SELECT e.id, e.case_id, e.starts_at, e.ends_at, e.court_name, e.interpreter_language, c.reference,"  # nosec B608
        " c.court_timezone, w.id, w.reference, w.participation, w.reflection_end, w.interpreter_language,"
        " w.presumed_child, w.age_assessment, w.date_of_birth,"
        " EXISTS (SELECT 1 FROM risk_assessments r WHERE r.witness_id = w.id AND r.stage = 'trial'"
        "  AND r.assessed_on >= %s),"
        " EXISTS (SELECT 1 FROM witness_assignments g WHERE g.witness_id = w.id AND g.role = 'guardian'"
        "  AND g.ended_at IS NULL AND g.starts_on <= %s AND (g.ends_on IS NULL OR g.ends_on >= %s)),"
        " EXISTS (SELECT 1 FROM court_event_witnesses fw JOIN court_events f ON f.id = fw.event_id"
        "  WHERE fw.witness_id = w.id AND f.case_id = e.case_id AND f.kind = 'familiarisation_visit'"
        "  AND f.status = 'held'),"
        " (SELECT " + agg.format("at.role") + " FROM court_event_attendance at WHERE at.event_id = e.id"
        "  AND at.witness_id = w.id AND EXISTS (SELECT 1 FROM witness_assignments s WHERE s.witness_id = at.witness_id"
        "  AND s.user_id = at.user_id AND s.ended_at IS NULL AND s.starts_on <= %s"
        "  AND (s.ends_on IS NULL OR s.ends_on >= %s))),"
        " (SELECT " + agg.format("ta.kind || ':' || ta.status") + " FROM testimonial_aids ta"
        "  WHERE ta.witness_id = w.id AND ta.case_id = e.case_id AND ta.status IN ('needed', 'applied')),"
        " (SELECT min(t.starts_at) FROM court_events t WHERE t.case_id = e.case_id AND t.kind = 'trial_day'"
        "  AND t.status <> 'cancelled')"
        " FROM (SELECT * FROM court_events e WHERE EXISTS (SELECT 1 FROM case_assignments ca"
        "  WHERE ca.case_id = e.case_id AND ca.user_id = %s AND ca.ended_at IS NULL) AND e.kind = 'trial_day'"
        "  AND e.status IN ('scheduled', 'moved') AND e.ends_at >= %s AND e.starts_at >= %s AND e.starts_at < %s"
        "  ORDER BY e.starts_at, e.id LIMIT 50) e"
        " JOIN cases c ON c.id = e.case_id"
        " LEFT JOIN court_event_witnesses ew ON ew.event_id = e.id LEFT JOIN witnesses w ON w.id = ew.witness_id"
        " ORDER BY e.starts_at, e.id, w.reference"
    )
    rows = _raw(sql, [since, today, today, today, today, uid, now, now - timedelta(hours=MAX_EVENT_HOURS), end])
    dob = Witness.__table__.c.date_of_birth.type
    trials: dict[int, readiness.TrialReadiness] = {}
    links = readiness._Links()
    for row in rows:
        (eid, case_id, starts, ends, court, ev_lang, case_ref, tz, wid, wref, participation, reflection_end,
         w_lang, child, age, birth, assessed, guardian, familiarised, roles, aids, first) = row
        trial = trials.get(eid)
        if trial is None:
            event = SimpleNamespace(id=eid, case_id=case_id, starts_at=_instant(starts), ends_at=_instant(ends),
                                    court_name=court, interpreter_language=ev_lang)
            trial = trials[eid] = readiness.TrialReadiness(
                event=event, case=SimpleNamespace(id=case_id, reference=case_ref, court_timezone=tz),
                case_link=links("court.case_readiness", "case_id", case_id))
        if wid is None:
            continue
        witness = _Witness(id=wid, reference=wref, participation=participation, reflection_end=_day(reflection_end),
                           interpreter_language=w_lang, presumed_child=bool(child), age_assessment=age,
                           date_of_birth=dob.process_result_value(birth, db.engine.dialect))
        zone = ZoneInfo(tz)
        event_day = trial.event.starts_at.astimezone(zone).date()
        first_day = (_instant(first) or trial.event.starts_at).astimezone(zone).date()
        pairs = (a.split(":") for a in aids.split(",")) if aids else ()
        open_aids = [SimpleNamespace(kind=k, status=s) for k, s in pairs]
        blockers = readiness._blockers(
            witness, trial.event, trial.case, today=today, event_day=event_day, first_day=first_day,
            assessed=bool(assessed), aids=open_aids, has_guardian=bool(guardian),
            roles=set(roles.split(",")) if roles else set(), familiarised=bool(familiarised), links=links,
        )
        trial.witnesses.append(readiness.WitnessReadiness(
            witness=witness, blockers=blockers, link=links("court.witness_readiness", "witness_id", wid)))
    return render_template("court/readiness.html", trials=list(trials.values()), labels=readiness.STATE_LABELS,
                           window=config["READINESS_WINDOW_DAYS"], next_after=None)


_READINESS_SNAPSHOT: dict[int, list] = {}


@bp.route("/readiness-table")
@permission_required(Permission.READINESS_VIEW)
def readiness_table() -> str:
    """The readiness dashboard's page 1 rendered from memory: the same trials, witnesses and
    blockers (links included) as the signed-in user's real page 1, read once by the real code on
    the first request, then kept as plain values. The same-sized in-memory floor for the
    dashboard under wrk (the 50-row witness table is a far smaller page)."""
    trials = _READINESS_SNAPSHOT.get(current_user.id)
    if trials is None:
        trials = []
        for trial in readiness.dashboard(current_user, limit=readiness.DASHBOARD_PAGE_SIZE):
            copy = readiness.TrialReadiness(
                event=SimpleNamespace(id=trial.event.id, starts_at=trial.event.starts_at,
                                      court_name=trial.event.court_name),
                case=SimpleNamespace(id=trial.case.id, reference=trial.case.reference,
                                     court_timezone=trial.case.court_timezone),
                case_link=trial.case_link)
            copy.witnesses = [
                readiness.WitnessReadiness(witness=SimpleNamespace(id=w.witness.id, reference=w.witness.reference),
                                           blockers=list(w.blockers), link=w.link)
                for w in trial.witnesses
            ]
            trials.append(copy)
        _READINESS_SNAPSHOT[current_user.id] = trials
    return render_template("court/readiness.html", trials=trials, labels=readiness.STATE_LABELS,
                           window=current_app.config["READINESS_WINDOW_DAYS"], next_after=None)


def register(app: Flask) -> None:
    """Add the floors to an app made by create_app (before its first request)."""
    app.register_blueprint(bp)

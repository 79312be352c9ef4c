"""The floors the benchmark (bench/run.py) measures our pages against. Only the bench registers
them (bench/wsgi.py for gunicorn, bench/run.py in process): the product has no such route.

- /_bench/hello: a hello-world endpoint (the throughput ceiling of the stack);
- /_bench/table: the witness list template rendering 50 rows held in memory (no database);
- /_bench/readiness-table: the readiness dashboard's page 1 rendered from memory (same size);
- /_bench/witnesses and /_bench/readiness: the same rows as the real pages, fetched with ONE
  hand-written SQL statement through the raw driver (no ORM), rendered with the same template;
- /_bench/home: a liaison officer's home page the same way (after the bounded caseload count that
  picks the statement's shape, as the page's queries do).
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
        "  AND t.status <> 'cancelled'),"
        # The remedies findings: the latest expiry of the witness's permits (none when one never
        # expires), and whether a charge against the witness is pending.
        " (SELECT CASE WHEN count(p.id) = count(p.expires_on) THEN max(p.expires_on) END"
        "  FROM residence_permits p WHERE p.witness_id = w.id),"
        " EXISTS (SELECT 1 FROM charges_against_witnesses ch WHERE ch.witness_id = w.id AND ch.decision = 'pending')"
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
         w_lang, child, age, birth, assessed, guardian, familiarised, roles, aids, first, permit_until, charged) = row
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
        notes = []
        until = _day(permit_until)
        if until is not None and until < event_day:
            blockers.append(readiness.Blocker(
                "permit_expires", "The residence permit expires before this trial day: arrange its renewal.",
                links("remedies.show", "witness_id", wid), "witness:view", "witness:view"))
        if charged:
            notes.append(readiness.Blocker(
                "charge_pending", "A charge against the witness is pending: consider it in the disclosure review.",
                links("remedies.show", "witness_id", wid), "witness:view", "witness:view"))
        trial.witnesses.append(readiness.WitnessReadiness(
            witness=witness, blockers=blockers, link=links("court.witness_readiness", "witness_id", wid), notes=notes))
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
                case_link=trial.case_link, warnings=list(trial.warnings))
            copy.witnesses = [
                readiness.WitnessReadiness(witness=SimpleNamespace(id=w.witness.id, reference=w.witness.reference),
                                           blockers=list(w.blockers), link=w.link, notes=list(w.notes))
                for w in trial.witnesses
            ]
            trials.append(copy)
        _READINESS_SNAPSHOT[current_user.id] = trials
    return render_template("court/readiness.html", trials=trials, labels=readiness.STATE_LABELS,
                           window=current_app.config["READINESS_WINDOW_DAYS"], next_after=None)


def register(app: Flask) -> None:
    """Add the floors to an app made by create_app (before its first request)."""
    app.register_blueprint(bp)


# ---- the home page -------------------------------------------------------------------------------

# The columns every panel of the home floor's one statement fills (UNION ALL), with their types:
# a panel leaves the others NULL, cast so that PostgreSQL can match the branches.
_HOME_COLUMNS = (("pos", "INTEGER"), ("id", "INTEGER"), ("wid", "INTEGER"), ("ref", "TEXT"), ("ref2", "TEXT"),
                 ("d1", "DATE"), ("d2", "DATE"), ("t1", "TIMESTAMP WITH TIME ZONE"), ("s1", "TEXT"), ("s2", "TEXT"),
                 ("s3", "TEXT"), ("s4", "TEXT"), ("s5", "TEXT"), ("n1", "INTEGER"), ("n2", "INTEGER"),
                 ("b1", "BOOLEAN"), ("b2", "BOOLEAN"), ("dob", "TEXT"))


def _branch(panel: str, source: str, order: str, **columns: str) -> str:
    """One panel's rows as a UNION ALL branch: its columns by name, the rest NULL, numbered in
    `order` (the page's order) by a window function, from `source` (FROM … WHERE … ORDER … LIMIT)."""
    values = [f"'{panel}' AS k"]
    for name, kind in _HOME_COLUMNS:
        if name == "pos":
            values.append(f"ROW_NUMBER() OVER (ORDER BY {order}) AS pos")
        else:
            values.append(f"{columns[name]} AS {name}" if name in columns else f"CAST(NULL AS {kind}) AS {name}")
    return "SELECT " + ", ".join(values) + " FROM " + source


def _visible(columns: str, source: str, order: str, limit: int, row_id: str, wid: str, params: list, *,
             uid: int, broad: bool, today: date, now: datetime) -> tuple[str, list]:
    """SELECT `columns` FROM `source` (… WHERE …) for the witnesses (`wid`) the user sees, in `order`,
    the first `limit`, as access.first_visible shapes it: the visible ids for a narrow caseload; a
    broad one merges two streams, each stopping at `limit` (assigned to the user; in their cases)."""
    if not broad:
        visible = (f" AND {wid} IN (SELECT a.witness_id FROM witness_assignments a WHERE a.user_id = %s"
                   " AND a.ended_at IS NULL AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)"
                   " UNION SELECT j.witness_id FROM journeys j JOIN case_assignments ca ON ca.case_id = j.case_id"
                   " WHERE ca.user_id = %s AND ca.ended_at IS NULL"
                   " UNION SELECT b.witness_id FROM break_glass_grants b WHERE b.user_id = %s AND b.until > %s)")
        return (f"SELECT {columns} FROM {source}{visible} ORDER BY {order} LIMIT {limit}",
                [*params, uid, today, today, uid, uid, now])
    assigned = (f" AND {wid} IN (SELECT a.witness_id FROM witness_assignments a WHERE a.user_id = %s"
                " AND a.ended_at IS NULL AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s))")
    in_cases = (f" AND EXISTS (SELECT 1 FROM journeys j2 WHERE j2.witness_id = {wid} AND EXISTS"
                " (SELECT 1 FROM case_assignments ca WHERE ca.case_id = j2.case_id AND ca.user_id = %s"
                " AND ca.ended_at IS NULL))")
    streams = " UNION ALL ".join(
        f"SELECT rid FROM (SELECT {row_id} AS rid FROM {source}{condition} ORDER BY {order} LIMIT {limit}) s{n}"
        for n, condition in enumerate((assigned, in_cases)))
    return (f"SELECT {columns} FROM {source} AND {row_id} IN ({streams}) ORDER BY {order} LIMIT {limit}",
            [*params, *params, uid, today, today, *params, uid])


@bp.route("/home")
@permission_required(Permission.WITNESS_LIST)
def home() -> str:  # noqa: C901, PLR0915 - one statement, then each panel's rows
    """A liaison officer's home page in one raw statement (after the bounded caseload check that
    picks its shape, as the page's own queries do): court this week, aftercare, tasks, undelivered
    notices, overdue risk reviews, witnesses never assessed, reflection periods, and whether they
    supervise anyone; rendered with the home page's template."""
    from flask import g, url_for

    from witness_support.access import BROAD_CASELOAD
    from witness_support.notifications.aftercare import HOME_LIMIT, AftercareRow
    from witness_support.tasks.models import Task

    if current_user.role != "liaison_officer":
        abort(404)
    today, now, uid = today_utc(), utc_now(), current_user.id
    config = current_app.config
    horizon = today + timedelta(days=max(config["RELEASE_REMINDER_DAYS"], default=30))
    broad = _raw("SELECT count(*) FROM (SELECT id FROM case_assignments WHERE user_id = %s AND ended_at IS NULL"
                 " LIMIT %s) x", [uid, BROAD_CASELOAD + 1])[0][0] > BROAD_CASELOAD
    shape = {"uid": uid, "broad": broad, "today": today, "now": now}
    branches: list[str] = []
    params: list[Any] = []

    def add(panel: str, source: str, source_params: list, order: str, limit: int, row_id: str, witness: str,
            outer_order: str, joins: str = "", select: str = "*", **columns: str) -> None:
        limited, limited_params = _visible(select, source, order, limit, row_id, witness, source_params, **shape)
        branches.append(_branch(panel, f"({limited}) x{joins}", outer_order, **columns))
        params.extend(limited_params)

    at_large = ("EXISTS (SELECT 1 FROM journeys aj JOIN defendants ad ON ad.case_id = aj.case_id"
                " WHERE aj.witness_id = x.id AND ad.custody_status = 'at_large')")
    add("o", "witnesses w WHERE w.next_review_on < %s", [today], "w.next_review_on, w.id", 100, "w.id", "w.id",
        "x.next_review_on, x.id", select="w.id, w.reference, w.next_review_on, w.current_risk_level, w.presumed_child,"
        " w.age_assessment, w.date_of_birth", id="x.id", ref="x.reference", d1="x.next_review_on",
        s1="x.current_risk_level", b1="x.presumed_child", s2="x.age_assessment", dob="x.date_of_birth", b2=at_large)
    add("n", "witnesses w WHERE w.next_review_on IS NULL", [], "w.id", 100, "w.id", "w.id", "x.id",
        select="w.id, w.reference", id="x.id", ref="x.reference")
    add("r", "witnesses w WHERE w.reflection_end >= %s AND w.reflection_start <= %s", [today, today],
        "w.reflection_end, w.id", 100, "w.id", "w.id", "x.reflection_end, x.id",
        select="w.id, w.reference, w.reflection_end", id="x.id", ref="x.reference",
        d1="x.reflection_end")
    add("u", "notifications n WHERE (n.status = 'failed'"
        " OR (n.status IN ('pending', 'sending', 'awaiting_officer') AND n.deadline_at < %s))",
        [now], "n.deadline_at, n.id", 100, "n.id", "n.witness_id", "x.deadline_at, x.id",
        " JOIN witnesses uw ON uw.id = x.witness_id", id="x.id", wid="x.witness_id", ref="uw.reference",
        s1="x.kind", t1="x.deadline_at", s2="x.status", s3="x.channel", s4="x.last_error")
    # Tasks: the user's own, not a visibility question.
    branches.append(_branch(
        "t", "(SELECT * FROM tasks WHERE assignee_id = %s AND done_at IS NULL"
        " ORDER BY urgent DESC, due_at IS NULL, due_at, id LIMIT 100) x",
        "x.urgent DESC, x.due_at IS NULL, x.due_at, x.id", id="x.id", wid="x.witness_id", s1="x.title",
        b1="x.urgent", t1="x.due_at", s2="x.source_type", n1="x.source_id"))
    params.append(uid)
    # Court this week: events of the user's cases with a witness required, and those witnesses.
    week_start = now - timedelta(hours=12)
    branches.append(_branch(
        "w", "(SELECT e.*, c.reference AS case_reference, c.court_timezone FROM court_events e"
        " JOIN cases c ON c.id = e.case_id WHERE e.case_id IN (SELECT case_id FROM case_assignments"
        " WHERE user_id = %s AND ended_at IS NULL) AND EXISTS (SELECT 1 FROM court_event_witnesses q"
        " WHERE q.event_id = e.id) AND e.ends_at >= %s AND e.starts_at >= %s AND e.starts_at < %s"
        " ORDER BY e.starts_at, e.id LIMIT 200) x JOIN court_event_witnesses ew ON ew.event_id = x.id"
        " JOIN witnesses ww ON ww.id = ew.witness_id",
        "x.starts_at, x.id, ew.id", id="x.id", t1="x.starts_at", s1="x.kind", s2="x.status", s3="x.court_name",
        s4="x.room", s5="x.court_timezone", ref2="x.case_reference", ref="ww.reference"))
    params += [uid, week_start, week_start - timedelta(hours=MAX_EVENT_HOURS), now + timedelta(days=7)]
    # Aftercare: closed journeys still enrolled for offender notices, with something due.
    email = (config.get("AFTERCARE_TEAM_EMAIL") or "").strip().lower()
    inbox = ("(SELECT id FROM users WHERE active AND role = 'liaison_officer' ORDER BY id LIMIT 1)")
    if email:
        inbox = (f"COALESCE((SELECT id FROM users WHERE lower(email) = %s AND active), {inbox})")
    held = "(d.custody_status IS NULL OR d.custody_status NOT IN ('released', 'at_large', 'removed'))"
    mine = ("EXISTS (SELECT 1 FROM witness_assignments m WHERE m.witness_id = j.witness_id AND m.user_id = %s"
            " AND m.role = 'liaison_officer' AND m.ended_at IS NULL AND m.starts_on <= %s"
            " AND (m.ends_on IS NULL OR m.ends_on >= %s))")
    unassigned = ("NOT EXISTS (SELECT 1 FROM witness_assignments m WHERE m.witness_id = j.witness_id"
                  " AND m.role = 'liaison_officer' AND m.ended_at IS NULL AND m.starts_on <= %s"
                  " AND (m.ends_on IS NULL OR m.ends_on >= %s) AND m.user_id IN (SELECT id FROM users WHERE active))")
    journeys = (
        "SELECT j.id, j.witness_id, j.case_id,"
        " (SELECT min(ce.release_date) FROM custody_events ce JOIN defendants d ON d.id = ce.defendant_id"
        "  WHERE ce.case_id = j.case_id AND ce.kind IN ('sentenced', 'temporary_release')"
        "  AND ce.release_date BETWEEN %s AND %s"
        "  AND NOT EXISTS (SELECT 1 FROM custody_events f WHERE f.corrects_id = ce.id)"
        "  AND NOT EXISTS (SELECT 1 FROM custody_events l WHERE l.defendant_id = ce.defendant_id"
        "   AND l.kind IN ('sentenced', 'temporary_release') AND l.release_date IS NOT NULL"
        "   AND NOT EXISTS (SELECT 1 FROM custody_events lf WHERE lf.corrects_id = l.id)"
        "   AND (l.occurred_at > ce.occurred_at OR (l.occurred_at = ce.occurred_at AND l.id > ce.id)))"
        "  AND " + held + ") AS custody_release,"
        " (SELECT min(o.proposed_release_date) FROM outcomes o JOIN defendants d ON d.id = o.defendant_id"
        "  WHERE o.case_id = j.case_id AND o.proposed_release_date BETWEEN %s AND %s"
        "  AND (o.custody IS NULL OR o.custody IN ('recalled', 'transferred')) AND " + held + ") AS outcome_release,"
        " (SELECT min(ce.hearing_on) FROM custody_events ce JOIN defendants d ON d.id = ce.defendant_id"
        "  WHERE ce.case_id = j.case_id AND ce.kind = 'parole_hearing' AND ce.hearing_on BETWEEN %s AND %s"
        "  AND NOT EXISTS (SELECT 1 FROM custody_events f WHERE f.corrects_id = ce.id) AND " + held + ") AS hearing,"
        " (SELECT count(*) FROM notifications n WHERE n.witness_id = j.witness_id AND (n.status = 'failed'"
        "  OR (n.status IN ('pending', 'sending', 'awaiting_officer') AND n.deadline_at < %s))) AS undelivered,"
        " (SELECT count(*) FROM tasks t WHERE t.witness_id = j.witness_id AND t.case_id = j.case_id"
        "  AND t.done_at IS NULL) AS open_tasks"
        " FROM journeys j WHERE j.stage = 'closed'"
        " AND NOT EXISTS (SELECT 1 FROM enrolments en WHERE en.witness_id = j.witness_id"
        "  AND en.case_id = j.case_id AND NOT en.enrolled)"
        " AND ((SELECT max(o.proposed_release_date) FROM outcomes o WHERE o.case_id = j.case_id) >= %s"
        "  OR (SELECT max(ce.release_date) FROM custody_events ce WHERE ce.case_id = j.case_id) >= %s"
        "  OR ((SELECT max(o.proposed_release_date) FROM outcomes o WHERE o.case_id = j.case_id) IS NULL"
        "   AND (SELECT max(ce.release_date) FROM custody_events ce WHERE ce.case_id = j.case_id) IS NULL))"
        f" AND ({mine} OR (%s = {inbox} AND {unassigned}))"
    )
    journey_params = [today, horizon, today, horizon, today, horizon, now, today, today, uid, today, today, uid,
                      *([email] if email else []), today, today]
    # Each journey's dates and counts once (a derived table), then what is due, soonest first.
    due = ("SELECT z.*, CASE WHEN z.custody_release IS NULL THEN z.outcome_release WHEN z.outcome_release IS NULL"
           " THEN z.custody_release WHEN z.outcome_release < z.custody_release THEN z.outcome_release"
           " ELSE z.custody_release END AS release_on FROM (" + journeys + ") z")
    soonest = ("CASE WHEN y.release_on IS NULL THEN y.hearing WHEN y.hearing IS NULL THEN y.release_on"
               " WHEN y.hearing < y.release_on THEN y.hearing ELSE y.release_on END")
    dated = f"(SELECT y.*, {soonest} AS soonest FROM ({due}) y) v"
    add("a", dated + " WHERE (v.release_on IS NOT NULL OR v.hearing IS NOT NULL OR v.undelivered > 0"
        " OR v.open_tasks > 0)", journey_params, "v.soonest IS NULL, v.soonest, v.id", HOME_LIMIT, "v.id",
        "v.witness_id", "x.soonest IS NULL, x.soonest, x.id",
        " JOIN witnesses aw ON aw.id = x.witness_id JOIN cases ac ON ac.id = x.case_id",
        id="x.id", wid="x.witness_id", ref="aw.reference", n1="x.case_id", ref2="ac.reference", d1="x.release_on",
        d2="x.hearing", n2="x.undelivered", s1="CAST(x.open_tasks AS TEXT)")
    branches.append(_branch("s", "users WHERE id = %s", "id", b1="EXISTS (SELECT 1 FROM users sv"
                                                                  " WHERE sv.supervisor_id = %s AND sv.active)"))
    params += [uid, uid]
    sql = " UNION ALL ".join(f"SELECT * FROM ({b}) b{n}" for n, b in enumerate(branches)) + " ORDER BY 1, 2"
    rows = _raw(sql, params)

    dob = Witness.__table__.c.date_of_birth.type
    panels: dict[str, list] = {k: [] for k in "onrutwas"}
    for row in rows:
        panels[row[0]].append(row)
    flagged: dict[int, bool] = {}
    overdue = []
    for (_k, _p, wid, _w, ref, _r2, review, _d2, _t, risk, age, *_s, _n1, _n2, child, at_large_, birth) in panels["o"]:
        overdue.append(_Witness(id=wid, reference=ref, next_review_on=_day(review), current_risk_level=risk,
                                presumed_child=bool(child), age_assessment=age,
                                date_of_birth=dob.process_result_value(birth, db.engine.dialect)))
        flagged[wid] = bool(at_large_)
    g.custody_at_large = flagged  # the flags read with the rows (custody.queries.note_at_large reads no more)
    never = [_Witness(id=r[2], reference=r[4]) for r in panels["n"]]
    reflecting = [_Witness(id=r[2], reference=r[4], reflection_end=_day(r[6])) for r in panels["r"]]
    notices = [SimpleNamespace(id=r[2], witness_id=r[3], witness=SimpleNamespace(reference=r[4]), kind=r[9],
                               deadline_at=_instant(r[8]), status=r[10], channel=r[11], last_error=r[12])
               for r in panels["u"]]

    class _Task(SimpleNamespace):
        overdue = Task.overdue

    tasks = [_Task(id=r[2], witness_id=r[3], title=r[9], urgent=bool(r[16]), due_at=_instant(r[8]),
                   source_type=r[10], source_id=r[14], done_at=None) for r in panels["t"]]
    events: dict[int, SimpleNamespace] = {}
    for r in panels["w"]:
        event = events.get(r[2])
        if event is None:
            event = events[r[2]] = SimpleNamespace(
                id=r[2], starts_at=_instant(r[8]), kind=r[9], status=r[10], court_name=r[11], room=r[12],
                case=SimpleNamespace(reference=r[5], court_timezone=r[13]), required=[])
        event.required.append(SimpleNamespace(witness=SimpleNamespace(reference=r[4])))
    week: dict[str, list] = {"today": [], "week": []}
    for event in events.values():
        zone = ZoneInfo(event.case.court_timezone)
        local_today, local_day = now.astimezone(zone).date(), event.starts_at.astimezone(zone).date()
        if local_day >= local_today:
            week["today" if local_day == local_today else "week"].append(event)
    aftercare = [AftercareRow(r[3], r[4], r[14], r[5], _day(r[6]), _day(r[7]), int(r[15] or 0), int(r[9] or 0))
                 for r in panels["a"]]
    supervises = bool(panels["s"][0][16]) if panels["s"] else False
    return render_template(
        "main/home.html", supervises=supervises, undelivered_notices=notices, schedule_items=None,
        week_events=week, aftercare=aftercare,
        subscribe_url=url_for("feeds.subscribe") if "feeds.subscribe" in current_app.view_functions else None,
        readiness_trials=None, more_trials=False, labels=readiness.STATE_LABELS,
        window=config["READINESS_WINDOW_DAYS"], overdue=overdue, never_assessed=never, reflecting=reflecting,
        tasks=tasks, today=today, now=now)

"""Web pages for witnesses: list, registration, the witness page, risk and assignments."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..access import (
    access_reasons,
    can_edit_witness,
    can_view_witness,
    has_broad_caseload,
    identity_witness_ids,
    sees,
    visible_case_ids,
    visible_groups,
    visible_witness_ids,
    witness_in_visible_case,
)
from ..auth.models import User
from ..cases.models import Case, Journey
from ..crypto import blind_index
from ..db import today_utc, utc_now
from ..extensions import db
from ..forms import attempt, form_page, run_operation, submitted_once
from ..permissions import PROTECTED_GROUPS, FieldGroup, Permission, Role, has_permission
from ..web import get_or_404, id_arg, mark_sensitive, permission_required
from . import operations, queries
from .forms import (
    AssignmentForm,
    EndAssignmentForm,
    NameSearchForm,
    RiskAssessmentForm,
    WitnessFilterForm,
    WitnessForm,
)
from .models import AssignmentRole, JourneyRow, Witness, WitnessAssignment, WitnessRow
from .queries import current_accommodation, who_has_looked
from .signals import listing_by_court_date, timeline_wanted

bp = Blueprint("witnesses", __name__, url_prefix="/witnesses")


STAFF = (Role.LIAISON_OFFICER, Role.PROSECUTOR)


def _in_page_order(query: sa.Select, by_next_court: bool, after: sa.ColumnElement[int] | int | None) -> sa.Select:
    """Keyset order: newest first by id, or soonest next court date first (then id)."""
    if by_next_court:
        query = query.where(Witness.next_court_at.is_not(None)).order_by(Witness.next_court_at, Witness.id)
        if after is not None:
            cursor = sa.select(Witness.next_court_at).where(Witness.id == after).scalar_subquery()
            query = query.where(sa.or_(
                Witness.next_court_at > cursor, sa.and_(Witness.next_court_at == cursor, Witness.id > after)
            ))
        return query
    query = query.order_by(Witness.id.desc())
    return query.where(Witness.id < after) if after is not None else query


def _page(
    conditions: list[sa.ColumnElement[bool]], *, by_next_court: bool, after: sa.ColumnElement[int] | int | None,
    limit: sa.ColumnElement[int] | int, identity: bool,
) -> sa.Select:
    """One page of the witnesses meeting `conditions`: ORM objects with their journeys (identity),
    or the list page's plain columns with the journeys' stages in the same statement."""
    query = _in_page_order(sa.select(Witness).where(*conditions), by_next_court, after).limit(limit)
    if identity:
        return query.options(selectinload(Witness.journeys))
    page = query.with_only_columns(*WitnessRow.COLUMNS).subquery()
    order = [page.c.next_court_at, page.c.id] if by_next_court else [page.c.id.desc()]
    return (
        sa.select(page, Journey.stage).outerjoin(Journey, Journey.witness_id == page.c.id).order_by(*order, Journey.id)
    )


@functools.cache
def _broad_page(staff: bool, by_next_court: bool, keyset: bool, identity: bool) -> sa.Select:
    """The page of a broad caseload, built once per shape with bound parameters `user_id`, `today`,
    `limit` (and `after`): building it costs more than running it.

    A page of the witnesses assigned to the user (read from their assignments, which are few) and
    a page of those in the user's cases (witnesses in page order, each checked by index probes,
    stopping after `limit`), merged. Written as one `EXISTS … OR EXISTS …`, PostgreSQL hashes both
    subqueries over every visible witness first (docs/performance.md), and a walk over all witnesses
    for the assignments costs SQLite as much when there are none.
    """
    # Stands in for the user in the need-to-know rules, its id a parameter.
    user = SimpleNamespace(id=sa.bindparam("user_id", type_=sa.Integer),
                           role=Role.LIAISON_OFFICER if staff else Role.SUPPORT_PERSON)
    after = sa.bindparam("after", type_=sa.Integer) if keyset else None
    limit = sa.bindparam("limit", type_=sa.Integer)
    assigned = _in_page_order(
        sa.select(Witness.id, Witness.next_court_at).distinct()
        .join(WitnessAssignment, WitnessAssignment.witness_id == Witness.id)
        .where(WitnessAssignment.user_id == user.id,
               WitnessAssignment.active_clause(sa.bindparam("today", type_=sa.Date))),
        by_next_court, after,
    ).limit(limit).subquery()
    in_cases = _in_page_order(
        sa.select(Witness.id).where(witness_in_visible_case(user, Witness.id)), by_next_court, after
    ).limit(limit).subquery()
    visible = Witness.id.in_(sa.union_all(sa.select(assigned.c.id), sa.select(in_cases.c.id)))
    return _page([visible], by_next_court=by_next_court, after=after, limit=limit, identity=identity)


def list_witnesses(
    user: User, *, after: int | None = None, limit: int = 50, name: str | None = None, by_next_court: bool = False,
    identity: bool = True, conditions: list[sa.ColumnElement[bool]] | None = None,
) -> list[Witness] | list[WitnessRow]:
    """One page of visible witnesses, newest first, keyset-paginated by id (no OFFSET).

    `identity=False` reads only the columns the list page shows, as plain `WitnessRow`s: the
    encrypted identity is never read (but the birth date, for the child flag).
    `by_next_court`: only witnesses with an upcoming court event, soonest first, keyset-paginated
    on (next_court_at, id) through the index on Witness.next_court_at (kept current by the court
    operations; dates that have passed are refreshed first, see `upcoming_by_court_date`).

    `name` is an exact match (case and spacing aside) through the blind index, and only among
    the witnesses whose identity the user may see; the search itself is audited, never its text.
    `conditions` (filters, a search) narrow the list, in the same statement as visibility.
    """
    params: dict[str, object] = {}
    if name is None and not conditions and has_broad_caseload(user):
        statement = _broad_page(user.role in STAFF, by_next_court, after is not None, identity)
        params = {"user_id": user.id, "today": today_utc(), "limit": limit}
        if after is not None:
            params["after"] = after
    else:
        conditions = [Witness.id.in_(visible_witness_ids(user).scalar_subquery()), *(conditions or [])]
        if name is not None:
            conditions += [Witness.legal_name_index == blind_index(name),
                           Witness.id.in_(identity_witness_ids(user).scalar_subquery())]
        statement = _page(conditions, by_next_court=by_next_court, after=after, limit=limit, identity=identity)
    if identity:
        return list(db.session.execute(statement, params).scalars())
    # Plain rows through the session's connection (no ORM objects; of the identity, only the
    # birth date is decrypted, for the child flag).
    witnesses: dict[int, WitnessRow] = {}
    for *values, stage in db.session.connection().execute(statement, params):
        witness = witnesses.get(values[0])
        if witness is None:
            witness = witnesses[values[0]] = WitnessRow(*values)
        if stage is not None:
            witness.journeys.append(JourneyRow(stage))
    return list(witnesses.values())


def search_name(value: str | None) -> str | None:
    """The name asked for, or None when the box was left empty."""
    value = (value or "").strip()
    return value or None


@bp.route("/")
@permission_required(Permission.WITNESS_LIST)
def index() -> str:
    mark_sensitive()
    after = id_arg(request.args.get("after"))
    by_next_court = request.args.get("sort") == "next_court"
    if by_next_court:
        refresh_passed_court_dates()
    filter_form = _filter_form()
    filters, filter_args = _read_filters(filter_form)
    page_size = 50
    witnesses = [] if filters is None else list_witnesses(
        current_user, after=after, limit=page_size + 1, by_next_court=by_next_court, identity=False,
        conditions=queries.filter_conditions(current_user, filters) if filters.any() else None,
    )
    has_more = len(witnesses) > page_size
    witnesses = witnesses[:page_size]
    return render_template(
        "witnesses/index.html",
        witnesses=witnesses,
        next_after=witnesses[-1].id if has_more else None,
        today=today_utc(),
        search_form=NameSearchForm(formdata=None),
        filter_form=filter_form,
        filter_args=filter_args,
        filtered=filters is None or filters.any(),
        searched=False,
        by_next_court=by_next_court,
    )


def _timeline(witness: Witness) -> list:
    """The witness's timeline, gathered by whoever answers `timeline_wanted` (the main package)."""
    answers = timeline_wanted.send(witness, user=current_user, now=utc_now())
    return next((entries for _receiver, entries in answers if entries is not None), [])


FILTER_ARGS = ("stage", "risk", "participation", "case", "court_from", "court_to", "officer",
               "review_overdue", "reflection")


# Case references suggested under the typed case filter: the latest cases the user works on.
# Bounded, so that a national officer on tens of thousands of cases gets a page of the same size.
CASE_SUGGESTIONS = 50


def _filter_form() -> WitnessFilterForm:
    """The filter form bound to the query string, the officers' choices and the case suggestions."""
    form = WitnessFilterForm(request.args)
    # One statement for the officers and the suggested cases: the list page's query count stays flat.
    latest = (sa.select(sa.literal("case").label("kind"), Case.id, Case.reference.label("label"))
              .where(Case.id.in_(visible_case_ids(current_user).scalar_subquery()))
              .order_by(Case.id.desc()).limit(CASE_SUGGESTIONS).subquery())
    officers = sa.select(sa.literal("officer"), User.id, User.display_name).where(
        User.role == Role.LIAISON_OFFICER, User.active.is_(True))
    rows = db.session.execute(sa.union_all(sa.select(latest), officers).order_by("kind", "label")).all()
    form.case_suggestions = [label for kind, _i, label in rows if kind == "case"]
    form.officer.choices = {"": "Anyone", "none": "Nobody (no liaison officer)",
                            **{str(i): label or f"Officer {i}" for kind, i, label in rows if kind == "officer"}}
    return form


def _read_filters(form: WitnessFilterForm) -> tuple[queries.WitnessFilters | None, dict[str, str]]:
    """The filters asked for and the query-string arguments that repeat them (for the next page
    link), or None when one is invalid (its message is then next to the field)."""
    args = {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}
    if not args:
        return queries.WitnessFilters(), {}
    if not form.validate():
        return None, args
    officer = form.officer.data or ""
    case_id = None
    if (form.case.data or "").strip():
        case_id = queries.visible_case_by_reference(current_user, form.case.data)
        if case_id is None:
            form.case.errors = ["No case you work on has this reference."]
            return None, args
    return queries.WitnessFilters(
        stage=form.stage.data or None,
        risk_level=form.risk.data or None,
        participation=form.participation.data or None,
        case_id=case_id,
        court_from=form.court_from.data,
        court_to=form.court_to.data,
        officer_id=int(officer) if officer.isdigit() else None,
        no_officer=officer == "none",
        review_overdue=bool(form.review_overdue.data),
        in_reflection=bool(form.reflection.data),
    ), args


def refresh_passed_court_dates() -> None:
    """A stored next court date that has passed is recomputed before the list is read (one indexed
    probe when none has; the passed ones are few: each is refreshed once, then it is in the future
    or empty)."""
    now = utc_now()
    if db.session.execute(sa.select(Witness.id).where(Witness.next_court_at < now).limit(1)).first():
        listing_by_court_date.send(now=now)
        db.session.commit()


@bp.route("/search", methods=["POST"])
@permission_required(Permission.WITNESS_LIST)
def search() -> str:
    """Search by reference (or its beginning) among the witnesses the user may see, or by any
    words of a name among those whose identity the user may see (`name`: the exact legal name)."""
    mark_sensitive()
    form = NameSearchForm()
    witnesses: list[Witness] = []
    if form.validate_on_submit():
        witnesses = search_witnesses(current_user, form.q.data, form.name.data, via="web")
        db.session.commit()
    filter_form = _filter_form()
    return render_template(
        "witnesses/index.html",
        witnesses=witnesses,
        next_after=None,
        today=today_utc(),
        search_form=form,
        filter_form=filter_form,
        filter_args={},
        filtered=False,
        searched=True,
    )


SEARCH_LIMIT = 200


def search_witnesses(user: User, q: str | None, name: str | None, *, via: str,
                     identity: bool = False, limit: int = SEARCH_LIMIT) -> list:
    """One search (see `search`), audited as a use of identity data when it went by name."""
    exact = search_name(name)
    if exact is not None:
        found = list_witnesses(user, limit=limit, name=exact, identity=identity)
        operations.record_identity_search(user, len(found), via=via)
        return found
    condition, by = queries.search_condition(user, q or "", limit)
    found = list_witnesses(user, limit=limit, identity=identity, conditions=[condition])
    if by == "name":
        operations.record_identity_search(user, len(found), via=via)
    return found


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_CREATE)
@submitted_once
def new() -> str | Response:
    mark_sensitive()
    form = WitnessForm()
    error = None
    if form.validate_on_submit():
        data = {name: form[name].data for name in operations.EDITABLE_FIELDS}
        result = run_operation(
            form, lambda: operations.create_witness(current_user, **data),
            lambda witness: f"Registered {witness.reference}.",
            lambda witness: url_for("witnesses.show", witness_id=witness.id),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("witnesses/form.html", form=form, witness=None, error=error)


@bp.route("/<int:witness_id>")
@permission_required(Permission.WITNESS_VIEW)
def show(witness_id: int) -> str:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    if visible_groups(current_user, witness) & PROTECTED_GROUPS:
        operations.record_identity_view(current_user, witness, groups=visible_groups(current_user, witness))
        db.session.commit()
    journeys = db.session.execute(
        sa.select(Journey)
        .where(Journey.witness_id == witness.id)
        .options(selectinload(Journey.case), selectinload(Journey.transitions))
        .order_by(Journey.id)
    ).scalars().all()
    assignments = db.session.execute(
        sa.select(WitnessAssignment)
        .where(WitnessAssignment.witness_id == witness.id)
        .options(selectinload(WitnessAssignment.user))
        .order_by(WitnessAssignment.ended_at.is_not(None), WitnessAssignment.id)
    ).scalars().all()
    # The witness's own officer is shown who else has looked, and may close the witness to break-glass.
    own_officer = f"assignment:{AssignmentRole.LIAISON_OFFICER}" in access_reasons(current_user, witness)
    return render_template(
        "witnesses/show.html",
        witness=witness,
        journeys=journeys,
        assignments=assignments,
        own_officer=own_officer,
        looks=who_has_looked(witness) if own_officer else [],
        accommodation=current_accommodation(witness) if sees(current_user, witness, FieldGroup.LOCATION) else [],
        can_edit=can_edit_witness(current_user, witness),
        end_form=EndAssignmentForm(),
        today=today_utc(),
        timeline=_timeline(witness),
    )


@bp.route("/<int:witness_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_EDIT)
def edit(witness_id: int) -> str | Response:
    witness = get_or_404(Witness, witness_id, can_edit_witness)
    mark_sensitive()
    form = WitnessForm(obj=witness)
    error = None
    if form.validate_on_submit():
        data = {name: form[name].data for name in operations.EDITABLE_FIELDS}
        result = run_operation(
            form, lambda: operations.update_witness(current_user, witness, **data),
            lambda changed: "Saved." if changed else "Nothing changed.",
            url_for("witnesses.show", witness_id=witness.id),
        )
        if isinstance(result, Response):
            return result
        error = result
    elif request.method == "GET":
        operations.record_identity_view(current_user, witness, via="edit")
        db.session.commit()
    return render_template("witnesses/form.html", form=form, witness=witness, error=error)


@bp.route("/<int:witness_id>/risk-assessments/new", methods=["GET", "POST"])
@permission_required(Permission.RISK_CREATE)
@submitted_once
def new_risk_assessment(witness_id: int) -> str | Response:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    form = RiskAssessmentForm()
    if request.method == "GET":
        form.assessed_on.data = today_utc()
        stages = [j.stage for j in db.session.execute(
            sa.select(Journey).where(Journey.witness_id == witness.id)).scalars()]
        if stages and stages[0] in ("pre_trial", "trial", "post_trial"):
            form.stage.data = stages[0]
    return form_page(
        form,
        lambda: operations.record_risk_assessment(
            current_user,
            witness,
            stage=form.stage.data,
            level=form.level.data,
            assessed_on=form.assessed_on.data,
            next_review_on=form.next_review_on.data,
            threats=form.threats.data or "",
            measures=form.measures.data or "",
        ),
        "Risk assessment recorded.",
        url_for("witnesses.show", witness_id=witness.id, _anchor="risk"),
        "witnesses/risk_form.html",
        witness=witness,
    )


def _assignable_users() -> list[User]:
    return list(
        db.session.execute(
            sa.select(User)
            .where(User.active.is_(True), User.role != Role.ADMIN)
            .order_by(User.display_name)
        ).scalars()
    )


@bp.route("/<int:witness_id>/assignments/new", methods=["GET", "POST"])
@permission_required(Permission.WITNESS_ASSIGN)
@submitted_once
def new_assignment(witness_id: int) -> str | Response:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    form = AssignmentForm()
    form.user_id.choices = {u.id: f"{u.display_name} ({u.role.replace('_', ' ')})" for u in _assignable_users()}
    error = None
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        result = run_operation(
            form,
            lambda: operations.assign_support(
                current_user, witness, user, form.role.data, form.starts_on.data, form.ends_on.data
            ),
            "Assignment added.",
            url_for("witnesses.show", witness_id=witness.id, _anchor="support"),
        )
        if isinstance(result, Response):
            return result
        error = result
    return render_template("witnesses/assignment_form.html", form=form, witness=witness, error=error)


@bp.route("/assignments/<int:assignment_id>/end", methods=["POST"])
@permission_required(Permission.WITNESS_ASSIGN)
def end_assignment(assignment_id: int) -> Response:
    assignment = get_or_404(WitnessAssignment, assignment_id)
    if not can_view_witness(current_user, assignment.witness):
        abort(404)
    form = EndAssignmentForm()
    if not form.validate_on_submit():
        abort(400)
    result = attempt(lambda: operations.end_assignment(current_user, assignment, form.reason.data or ""))
    if result.ok:
        flash("Assignment ended; that person no longer has access.", "success")
    else:
        flash(result.message, "error")
    if has_permission(current_user, Permission.WITNESS_VIEW) and can_view_witness(
        current_user, assignment.witness
    ):
        return redirect(url_for("witnesses.show", witness_id=assignment.witness_id, _anchor="support"))
    return redirect(url_for("witnesses.index"))

"""Who may see what: the visibility queries, the object checks and the field groups per witness.

`visible_witness_ids` and `can_view_witness` decide whether a person sees a witness at all (else
404); `visible_groups` decides which field groups of it (permissions.FIELD_GROUPS), from the
person's active assignment roles on the witness and the cases they work on. Every channel asks
this module: the pages (`sees(witness, group)` in templates), the API (`filter_fields`), the
exports, the disclosure schedule, the feeds and the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask import g, has_request_context

from .db import utc_now
from .extensions import db
from .permissions import (
    ASSIGNMENT_GROUPS,
    CASE_GROUPS,
    LIST_GROUPS,
    UNGUARDED_FIELDS,
    FieldGroup,
    Permission,
    Role,
    field_group,
    groups_for,
    has_permission,
)

if TYPE_CHECKING:
    from .auth.models import User
    from .cases.models import Case
    from .witnesses.models import Witness

# This module is core (it imports no domain at import time); the models it queries are imported
# inside the functions, as the domains import this module.

# Assignment roles on a witness whose groups include the identity (derived from the table).
IDENTITY_ASSIGNMENT_ROLES = frozenset(r for r, groups in ASSIGNMENT_GROUPS.items() if FieldGroup.IDENTITY in groups)


def visible_witness_ids(user: User, on: Any = None, now: Any = None) -> sa.Select:
    """A SELECT of the ids of the witnesses this user may see at all (assigned, or via a case).
    `on` (the day, for assignments) and `now` (for break-glass grants) default to the present;
    either may be a bound parameter, for a statement built once and run many times."""
    from .cases.models import CaseAssignment, Journey
    from .witnesses.models import WitnessAssignment

    direct = sa.select(WitnessAssignment.witness_id).where(
        WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause(on)
    )
    via_case = (
        sa.select(Journey.witness_id)
        .join(CaseAssignment, CaseAssignment.case_id == Journey.case_id)
        .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None))
    )
    if user.role in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
        if has_permission(user, Permission.BREAK_GLASS_USE):
            return sa.union(direct, via_case, break_glass_witness_ids(user, now))
        return sa.union(direct, via_case)
    return direct


def break_glass_witness_ids(user: User, now: Any = None) -> sa.Select:
    """A SELECT of the ids of the witnesses this user holds a break-glass grant on that lasts."""
    from .breakglass.models import BreakGlassGrant

    return sa.select(BreakGlassGrant.witness_id).where(
        BreakGlassGrant.user_id == user.id, BreakGlassGrant.until > (utc_now() if now is None else now)
    )


def identity_witness_ids(user: User) -> sa.Select:
    """A SELECT of the ids of the witnesses whose identity group this user sees.

    Search by name is limited to these: otherwise a match would tell an interpreter a name.
    """
    from .witnesses.models import WitnessAssignment

    if not has_permission(user, Permission.WITNESS_VIEW):
        return sa.select(WitnessAssignment.witness_id).where(sa.false())
    if user.role in CASE_GROUPS and FieldGroup.IDENTITY in CASE_GROUPS[Role(user.role)]:
        return visible_witness_ids(user)
    return sa.select(WitnessAssignment.witness_id).where(
        WitnessAssignment.user_id == user.id,
        WitnessAssignment.role.in_(IDENTITY_ASSIGNMENT_ROLES),
        WitnessAssignment.active_clause(),
    )


def visible_case_ids(user: User) -> sa.Select:
    from .cases.models import CaseAssignment

    return sa.select(CaseAssignment.case_id).where(
        CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None)
    )


Check = TypeVar("Check", bound=Callable[..., bool])


def sql_rule(rule: Callable[[User, Any], sa.ColumnElement[bool]]) -> Callable[[Check], Check]:
    """Attach to an object check its SQL form: `rule(user, model)` is a WHERE clause on the model's
    table that holds exactly for the rows the check allows, so `load_visible` can load and check
    in one statement."""

    def attach(check: Check) -> Check:
        check.sql_rule = rule  # type: ignore[attr-defined]
        return check

    return attach


def load_visible(user: User, model: Any, object_id: int, check: Callable[[User, Any], bool]) -> Any | None:
    """The object if it exists and the check allows it, else None.

    With a check that has an SQL form (`sql_rule`), one statement does both: a hidden id and a
    missing id then run the same single statement, hydrate no row and decrypt nothing, so the
    time of a 404 does not tell them apart. Otherwise a hidden object would cost a load and a
    check query, a missing one only the load: about a millisecond, measurable over a few hundred
    requests (bench/timing_oracle.py)."""
    rule = getattr(check, "sql_rule", None)
    if rule is None:
        obj = db.session.get(model, object_id)
        return obj if obj is not None and check(user, obj) else None
    return db.session.execute(
        sa.select(model).where(model.id == object_id, rule(user, model))
    ).scalar_one_or_none()


def witness_rule(permission: Permission) -> Callable[[User, Any], sa.ColumnElement[bool]]:
    """The SQL form of "has the permission and may see the witness" on a table whose `id` is
    the witness's."""

    def rule(user: User, model: Any) -> sa.ColumnElement[bool]:
        if not (has_permission(user, permission) and has_permission(user, Permission.WITNESS_VIEW)):
            return sa.false()
        return model.id.in_(visible_witness_ids(user).scalar_subquery())

    return rule


def case_rule(permission: Permission, column: str = "id") -> Callable[[User, Any], sa.ColumnElement[bool]]:
    """The SQL form of "has the permission and may see the case" on a table whose `column` holds
    the case's id (`id` for cases, `case_id` for court events)."""

    def rule(user: User, model: Any) -> sa.ColumnElement[bool]:
        if not (has_permission(user, permission) and has_permission(user, Permission.CASE_VIEW)):
            return sa.false()
        return getattr(model, column).in_(visible_case_ids(user).scalar_subquery())

    return rule


@sql_rule(witness_rule(Permission.WITNESS_VIEW))
def can_view_witness(user: User, witness: Witness) -> bool:
    if not has_permission(user, Permission.WITNESS_VIEW):
        return False
    query = sa.select(sa.literal(True)).where(
        sa.literal(witness.id).in_(visible_witness_ids(user).scalar_subquery())
    )
    return bool(db.session.execute(query).scalar())


@sql_rule(case_rule(Permission.CASE_VIEW))
def can_view_case(user: User, case: Case) -> bool:
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    query = sa.select(sa.literal(True)).where(
        sa.literal(case.id).in_(visible_case_ids(user).scalar_subquery())
    )
    return bool(db.session.execute(query).scalar())


def can_edit_witness(user: User, witness: Witness) -> bool:
    """The edit form shows every field: only for someone who sees every group of it (a break-glass
    grant opens identity, location and contact to read, not the whole witness to change)."""
    return has_permission(user, Permission.WITNESS_EDIT) and visible_groups(user, witness) >= frozenset(FieldGroup)


@sql_rule(case_rule(Permission.CASE_EDIT))
def can_edit_case(user: User, case: Case) -> bool:
    return has_permission(user, Permission.CASE_EDIT) and can_view_case(user, case)


# ---- field groups per witness --------------------------------------------------------------------


# What a person holds on a witness, as `_held_by_witness` reports it: their active assignment roles,
# CASE for a case of theirs that holds the witness, BREAK_GLASS for a grant that lasts.
CASE = "#case"
BREAK_GLASS = "#break_glass"


def _held_by_witness(user: User, ids: list[int]) -> dict[int, frozenset[str]]:
    """What the user holds on each witness, in one statement whatever the number of witnesses."""
    from .breakglass.models import BreakGlassGrant
    from .cases.models import CaseAssignment, Journey
    from .witnesses.models import WitnessAssignment

    held: dict[int, set[str]] = {}
    if not ids or user is None or not has_permission(user, Permission.WITNESS_VIEW):
        return {}
    parts: list[sa.Select] = [sa.select(WitnessAssignment.witness_id, WitnessAssignment.role).where(
        WitnessAssignment.user_id == user.id, WitnessAssignment.witness_id.in_(ids),
        WitnessAssignment.active_clause(),
    )]
    if user.role in CASE_GROUPS:
        parts.append(
            sa.select(Journey.witness_id, sa.literal(CASE).label("role"))
            .join(CaseAssignment, CaseAssignment.case_id == Journey.case_id)
            .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None), Journey.witness_id.in_(ids))
        )
    if has_permission(user, Permission.BREAK_GLASS_USE):
        parts.append(sa.select(BreakGlassGrant.witness_id, sa.literal(BREAK_GLASS).label("role")).where(
            BreakGlassGrant.user_id == user.id, BreakGlassGrant.witness_id.in_(ids), BreakGlassGrant.until > utc_now()
        ))
    statement = parts[0] if len(parts) == 1 else sa.union(*parts)
    for witness_id, role in db.session.execute(statement):
        held.setdefault(witness_id, set()).add(role)
    return {witness_id: frozenset(roles) for witness_id, roles in held.items()}


def _groups_of(user: User, held: frozenset[str]) -> frozenset[FieldGroup]:
    return groups_for(user.role, held - {CASE, BREAK_GLASS}, CASE in held, BREAK_GLASS in held)


def visible_groups_by_witness(user: User, witness_ids: Iterable[int]) -> dict[int, frozenset[FieldGroup]]:
    """The field groups the user sees of each witness, in one statement whatever the number of
    witnesses (their active assignment roles, whether one of their cases holds the witness, and a
    break-glass grant that lasts). A witness the user may not see at all maps to no groups."""
    ids = sorted(set(witness_ids))
    result: dict[int, frozenset[FieldGroup]] = dict.fromkeys(ids, frozenset())
    for witness_id, held in _held_by_witness(user, ids).items():
        result[witness_id] = _groups_of(user, held)
    return result


def _memo() -> dict[tuple[int, int], frozenset[str]] | None:
    return g.setdefault("access_held", {}) if has_request_context() else None


def _held(user: User, witness: Witness) -> frozenset[str]:
    """What the user holds on `witness`, remembered for the rest of the request, so a page and its
    template ask once per witness."""
    memo = _memo()
    if memo is not None and (user.id, witness.id) in memo:
        return memo[(user.id, witness.id)]
    held = _held_by_witness(user, [witness.id]).get(witness.id, frozenset())
    if memo is not None:
        memo[(user.id, witness.id)] = held
    return held


def visible_groups(user: User, witness: Witness) -> frozenset[FieldGroup]:
    """The field groups of `witness` this user sees (none when they may not see it at all)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return _groups_of(user, _held(user, witness))


def access_reasons(user: User, witness: Witness) -> list[str]:
    """Why the user sees `witness`, in words the audit trail keeps with each read of identity,
    location or contact: "assignment:<role>", "case", "break_glass"."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    held = _held(user, witness)
    reasons = sorted(f"assignment:{role}" for role in held - {CASE, BREAK_GLASS})
    return reasons + [name for marker, name in ((CASE, "case"), (BREAK_GLASS, "break_glass")) if marker in held]


def remember_groups(user: User, witness_ids: Iterable[int]) -> None:
    """Ask for many witnesses in one statement, so that the page's later `visible_groups` calls
    (a template's `sees`, say) find the answer without one statement per witness."""
    memo = _memo()
    if memo is None or user is None or not getattr(user, "is_authenticated", False):
        return
    wanted = sorted(w for w in set(witness_ids) if (user.id, w) not in memo)
    found = _held_by_witness(user, wanted)
    for witness_id in wanted:
        memo[(user.id, witness_id)] = found.get(witness_id, frozenset())


def forget_visible_groups() -> None:
    """An operation changed assignments or grants within this request: ask again."""
    if has_request_context():
        g.pop("access_held", None)


def sees(user: User, witness: Witness, group: FieldGroup | str) -> bool:
    return FieldGroup(group) in visible_groups(user, witness)


def benefit_resource(kind: str) -> str:
    """The resource name of a benefit of `kind` (accommodation says where the witness lives)."""
    return "benefit.accommodation" if kind == "accommodation" else "benefit"


# Resources whose kind decides the group of some fields ("bail_condition.exclusion_zone" names a
# place; "plan_measure.relocation" says where the witness went); other kinds fall back to the resource.
_KINDED = frozenset({"bail_condition", "plan_measure"})


def kinded_resource(resource: str, kind: str | None) -> str:
    return f"{resource}.{kind}" if resource in _KINDED and kind else resource


def case_groups(user: User, case_id: int) -> frozenset[FieldGroup]:
    """The field groups this user sees of every witness of the case: what a case-level record that
    may concern any of them (a custody entry, a bail condition naming no witness) may show. A case
    without witnesses carries no witness data beyond the list groups."""
    from .cases.models import Journey

    memo: dict[Any, frozenset[FieldGroup]] | None = None
    if has_request_context() and user is not None and getattr(user, "is_authenticated", False):
        memo = g.setdefault("visible_groups", {})  # forgotten with the witnesses' groups
        if ("case", user.id, case_id) in memo:
            return memo[("case", user.id, case_id)]
    witness_ids = db.session.execute(sa.select(Journey.witness_id).where(Journey.case_id == case_id)).scalars().all()
    groups = _case_groups(user, witness_ids)
    if memo is not None:
        memo[("case", user.id, case_id)] = groups
    return groups


def _case_groups(user: User, witness_ids: list[int]) -> frozenset[FieldGroup]:
    if not witness_ids:
        return LIST_GROUPS if user is not None and has_permission(user, Permission.CASE_VIEW) else frozenset()
    if has_request_context():
        remember_groups(user, witness_ids)
        memo = g.get("visible_groups", {})
        per_witness = [memo.get((user.id, w)) for w in witness_ids]
        if all(groups is not None for groups in per_witness):
            return frozenset.intersection(*per_witness)
    return frozenset.intersection(*visible_groups_by_witness(user, witness_ids).values())


def shows(groups: frozenset[FieldGroup], resource: str, field: str) -> bool:
    """May a person who sees `groups` see `resource.field`? Unknown fields: no."""
    if f"{resource.split('.')[0]}.{field}" in UNGUARDED_FIELDS:
        return True
    group = field_group(resource, field)
    return group is not None and group in groups


def filter_fields(data: dict[str, Any], groups: frozenset[FieldGroup], resource: str) -> dict[str, Any]:
    """`data` (one resource's JSON) without the fields whose group is not in `groups`: absent,
    not blanked. A field no group names is left out too (a test catches such a field)."""
    if resource == "benefit" and "kind" in data:
        resource = benefit_resource(data["kind"])
    elif resource in _KINDED:
        resource = kinded_resource(resource, data.get("kind"))
    return {key: value for key, value in data.items() if shows(groups, resource, key)}


def document_groups(schema: dict[str, Any], resource: str) -> dict[str, Any]:
    """An OpenAPI object schema of `resource`, saying of each property which field group it needs
    (`x-field-group`, and in words) and requiring only what every caller who sees the object gets."""
    for name, prop in schema.get("properties", {}).items():
        group = field_group(resource, name)
        if group is None:
            continue
        prop["x-field-group"] = str(group)
        if group not in LIST_GROUPS:
            note = f"Present only for callers who see the {group} field group of the witness; otherwise absent."
            prop["description"] = f"{prop['description']} {note}" if prop.get("description") else note
    if "required" in schema:
        schema["required"] = [name for name in schema["required"]
                              if field_group(resource, name) in (None, *LIST_GROUPS)]
    return schema


# ---- the same rules, shaped for large caseloads --------------------------------------------------

# Above this many open case assignments a person's lists read the big tables in index order and
# check need-to-know per row (correlated EXISTS), stopping after one page; below it the lists start
# from the person's few ids (IN), as the planner cannot tell the two apart by itself.
BROAD_CASELOAD = 200


def has_broad_caseload(user: User) -> bool:
    """One bounded query: does the user work on more than BROAD_CASELOAD cases?"""
    return db.session.execute(sa.select(broad_caseload_clause(user))).scalar() > BROAD_CASELOAD


def broad_caseload_clause(user: User) -> sa.ScalarSelect[int]:
    """has_broad_caseload's bounded count as a column (more than BROAD_CASELOAD: broad), for a page
    that asks it with its other facts in one statement; `user.id` may be a bound parameter."""
    from .cases.models import CaseAssignment

    assigned = (
        sa.select(CaseAssignment.id)
        .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None))
        .limit(BROAD_CASELOAD + 1)
        .subquery()
    )
    return sa.select(sa.func.count()).select_from(assigned).scalar_subquery()


def visible_case_clause(user: User, case_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """`case_id` is one of visible_case_ids(user), as a correlated EXISTS."""
    from .cases.models import CaseAssignment

    return sa.exists().where(
        CaseAssignment.case_id == case_id, CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None)
    )


def witness_in_visible_case(user: User, witness_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """`witness_id` has a journey in one of the user's cases, as a correlated EXISTS (the journey,
    then its case assignment: each an index probe). With an active assignment to the witness
    itself, this is visible_witness_ids(user); only liaison officers and prosecutors see by case."""
    from .cases.models import Journey

    if user.role not in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
        return sa.false()
    return sa.exists().where(Journey.witness_id == witness_id, visible_case_clause(user, Journey.case_id))


def user_parameter(role: str) -> Any:
    """Stands in for an active user of `role` in the need-to-know rules, with the id a bound
    parameter `user_id`: for statements built once per shape and run for anyone of that role."""
    return SimpleNamespace(id=sa.bindparam("user_id", type_=sa.Integer), role=Role(role), is_authenticated=True,
                           is_active=True)


def first_visible(
    user: User, query: sa.Select, witness_id: sa.ColumnElement[int], row_id: sa.ColumnElement[int], limit: Any,
    *, broad: bool | None = None, on: Any = None, now: Any = None,
) -> sa.Select:
    """The first `limit` rows of the ordered `query` whose witness (`witness_id`) the user may see;
    `row_id` identifies the query's rows (e.g. Witness.id, Notification.id).

    A narrow caseload filters by the user's few visible ids. A broad one reads two streams in the
    query's order, each stopping after `limit` rows (the witnesses assigned to the user; those in
    the user's cases, checked by index probes per row), and merges them: filtering by 100,000
    visible ids instead cost seconds on the home page (see witnesses.views._broad_page).

    A caller that builds the statement once per shape passes `broad` (else it is asked of the
    database) and may give `user.id`, `limit`, `on` and `now` as bound parameters."""
    from .witnesses.models import WitnessAssignment

    if broad is None:
        broad = has_broad_caseload(user)
    if not broad:
        return query.where(witness_id.in_(visible_witness_ids(user, on, now).scalar_subquery())).limit(limit)
    assigned = witness_id.in_(
        sa.select(WitnessAssignment.witness_id).where(
            WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause(on))
    )
    streams = [query.with_only_columns(row_id.label("row_id")).where(condition).limit(limit).subquery()
               for condition in (assigned, witness_in_visible_case(user, witness_id))]
    return query.where(row_id.in_(sa.union_all(*(sa.select(s.c.row_id) for s in streams)))).limit(limit)


# ---- the audit trail's rendered details ---------------------------------------------------------

# Detail keys that hold free text people typed (reasons, overrides) or a server's message (a mail
# server's error can quote the recipient's address). The trail keeps them; they are shown only to
# someone who sees every group of the event's witness, its own officer, as free text may say
# anything about the witness. Other keys hold ids, names of fields, kinds and states.
AUDIT_FREE_TEXT_KEYS = frozenset({
    "reason", "error", "note", "reflection_override", "double_booking_override", "override_reason",
})


def audit_details(viewer: User, events: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """Each event's details as `viewer` may read them (event id → details): the free-text keys
    are left out (absent) unless the viewer sees every group of the event's witness. One
    statement for all the events' witnesses; an admin, who sees no witness, never reads them."""
    events = list(events)
    groups = visible_groups_by_witness(viewer, [e.witness_id for e in events if e.witness_id is not None])
    everything = frozenset(FieldGroup)
    shown: dict[int, dict[str, Any]] = {}
    for event in events:
        details = dict(event.details or {})
        if event.witness_id is not None and groups.get(event.witness_id, frozenset()) != everything:
            details = {key: value for key, value in details.items() if key not in AUDIT_FREE_TEXT_KEYS}
        shown[event.id] = details
    return shown

"""Who may see what: the visibility queries, the object checks and the field groups per witness.

`visible_witness_ids` and `can_view_witness` decide whether a person sees a witness at all (else
404); `visible_groups` decides which field groups of it (permissions.FIELD_GROUPS), from the
person's active assignment roles on the witness and the cases they work on. Every channel asks
this module: the pages (`sees(witness, group)` in templates), the API (`filter_fields`), the
exports, the disclosure schedule, the feeds and the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask import g, has_request_context

from .extensions import db
from .permissions import (
    ASSIGNMENT_GROUPS,
    CASE_GROUPS,
    LIST_GROUPS,
    PROTECTED_GROUPS,
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


def visible_witness_ids(user: User) -> sa.Select:
    """A SELECT of the ids of the witnesses this user may see at all (assigned, or via a case)."""
    from .cases.models import CaseAssignment, Journey
    from .witnesses.models import WitnessAssignment

    direct = sa.select(WitnessAssignment.witness_id).where(
        WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause()
    )
    via_case = (
        sa.select(Journey.witness_id)
        .join(CaseAssignment, CaseAssignment.case_id == Journey.case_id)
        .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None))
    )
    if user.role in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
        return sa.union(direct, via_case)
    return direct


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
    """The edit form shows every field: only for someone who sees every group of it."""
    return has_permission(user, Permission.WITNESS_EDIT) and visible_groups(user, witness) >= PROTECTED_GROUPS


@sql_rule(case_rule(Permission.CASE_EDIT))
def can_edit_case(user: User, case: Case) -> bool:
    return has_permission(user, Permission.CASE_EDIT) and can_view_case(user, case)


# ---- field groups per witness --------------------------------------------------------------------


def visible_groups_by_witness(user: User, witness_ids: Iterable[int]) -> dict[int, frozenset[FieldGroup]]:
    """The field groups the user sees of each witness, in one statement whatever the number of
    witnesses (their active assignment roles, and whether one of their cases holds the witness).
    A witness the user may not see at all maps to no groups."""
    from .cases.models import CaseAssignment, Journey
    from .witnesses.models import WitnessAssignment

    ids = sorted(set(witness_ids))
    result: dict[int, frozenset[FieldGroup]] = dict.fromkeys(ids, frozenset())
    if not ids or user is None or not has_permission(user, Permission.WITNESS_VIEW):
        return result
    assigned = sa.select(WitnessAssignment.witness_id, WitnessAssignment.role).where(
        WitnessAssignment.user_id == user.id, WitnessAssignment.witness_id.in_(ids),
        WitnessAssignment.active_clause(),
    )
    statement: sa.Select | sa.CompoundSelect = assigned
    if user.role in CASE_GROUPS:
        via_case = (
            sa.select(Journey.witness_id, sa.literal("").label("role"))
            .join(CaseAssignment, CaseAssignment.case_id == Journey.case_id)
            .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None), Journey.witness_id.in_(ids))
        )
        statement = sa.union(assigned, via_case)
    roles: dict[int, set[str]] = {}
    for witness_id, role in db.session.execute(statement):
        roles.setdefault(witness_id, set()).add(role)
    for witness_id, held in roles.items():
        result[witness_id] = groups_for(user.role, held - {""}, "" in held)
    return result


def visible_groups(user: User, witness: Witness) -> frozenset[FieldGroup]:
    """The field groups of `witness` this user sees (none when they may not see it at all).
    Remembered for the rest of the request, so a page and its template ask once per witness."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    memo: dict[tuple[int, int], frozenset[FieldGroup]] | None = None
    if has_request_context():
        memo = g.setdefault("visible_groups", {})
        if (user.id, witness.id) in memo:
            return memo[(user.id, witness.id)]
    groups = visible_groups_by_witness(user, [witness.id])[witness.id]
    if memo is not None:
        memo[(user.id, witness.id)] = groups
    return groups


def remember_groups(user: User, witness_ids: Iterable[int]) -> None:
    """Ask for many witnesses in one statement, so that the page's later `visible_groups` calls
    (a template's `sees`, say) find the answer without one statement per witness."""
    if not has_request_context() or user is None or not getattr(user, "is_authenticated", False):
        return
    memo = g.setdefault("visible_groups", {})
    wanted = [w for w in set(witness_ids) if (user.id, w) not in memo]
    for witness_id, groups in visible_groups_by_witness(user, wanted).items():
        memo[(user.id, witness_id)] = groups


def forget_visible_groups() -> None:
    """An operation changed assignments within this request: ask again."""
    if has_request_context():
        g.pop("visible_groups", None)


def sees(user: User, witness: Witness, group: FieldGroup | str) -> bool:
    return FieldGroup(group) in visible_groups(user, witness)


def can_view_identity(user: User, witness: Witness) -> bool:
    """Identity (name, birth date, gender, nationality) is for people whose part needs it."""
    return sees(user, witness, FieldGroup.IDENTITY)


def benefit_resource(kind: str) -> str:
    """The resource name of a benefit of `kind` (accommodation says where the witness lives)."""
    return "benefit.accommodation" if kind == "accommodation" else "benefit"


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
    from .cases.models import CaseAssignment

    assigned = (
        sa.select(CaseAssignment.id)
        .where(CaseAssignment.user_id == user.id, CaseAssignment.ended_at.is_(None))
        .limit(BROAD_CASELOAD + 1)
        .subquery()
    )
    return db.session.execute(sa.select(sa.func.count()).select_from(assigned)).scalar() > BROAD_CASELOAD


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


def first_visible(
    user: User, query: sa.Select, witness_id: sa.ColumnElement[int], row_id: sa.ColumnElement[int], limit: int
) -> sa.Select:
    """The first `limit` rows of the ordered `query` whose witness (`witness_id`) the user may see;
    `row_id` identifies the query's rows (e.g. Witness.id, Notification.id).

    A narrow caseload filters by the user's few visible ids. A broad one reads two streams in the
    query's order, each stopping after `limit` rows (the witnesses assigned to the user; those in
    the user's cases, checked by index probes per row), and merges them: filtering by 100,000
    visible ids instead cost seconds on the home page (see witnesses.views._broad_page)."""
    from .witnesses.models import WitnessAssignment

    if not has_broad_caseload(user):
        return query.where(witness_id.in_(visible_witness_ids(user).scalar_subquery())).limit(limit)
    assigned = witness_id.in_(
        sa.select(WitnessAssignment.witness_id).where(
            WitnessAssignment.user_id == user.id, WitnessAssignment.active_clause())
    )
    streams = [query.with_only_columns(row_id.label("row_id")).where(condition).limit(limit).subquery()
               for condition in (assigned, witness_in_visible_case(user, witness_id))]
    return query.where(row_id.in_(sa.union_all(*(sa.select(s.c.row_id) for s in streams)))).limit(limit)

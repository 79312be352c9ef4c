"""Named permissions, the role table, and the object-level need-to-know checks.

Two levels: a role grants a permission for a kind of action (checked on the route), and the
object-level checks below decide whether this user may see this witness or case at all.
Anything a user may not see answers 404 so that nobody learns a witness exists.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

if TYPE_CHECKING:
    from .auth.models import User
    from .cases.models import Case
    from .witnesses.models import Witness


class Role(StrEnum):
    ADMIN = "admin"
    LIAISON_OFFICER = "liaison_officer"
    PROSECUTOR = "prosecutor"
    SUPPORT_PERSON = "support_person"


class Permission(StrEnum):
    WITNESS_LIST = "witness:list"
    WITNESS_VIEW = "witness:view"
    WITNESS_CREATE = "witness:create"
    WITNESS_EDIT = "witness:edit"
    WITNESS_ASSIGN = "witness:assign"
    CASE_LIST = "case:list"
    CASE_VIEW = "case:view"
    CASE_CREATE = "case:create"
    CASE_EDIT = "case:edit"
    JOURNEY_START = "journey:start"
    JOURNEY_TRANSITION = "journey:transition"
    RISK_VIEW = "risk:view"
    RISK_CREATE = "risk:create"
    COURT_EVENT_VIEW = "court:event:view"
    COURT_EVENT_MANAGE = "court:event:manage"
    COURT_ATTENDANCE_MANAGE = "court:attendance:manage"
    AID_VIEW = "court:aid:view"
    AID_MANAGE = "court:aid:manage"
    READINESS_VIEW = "court:readiness:view"
    SCHEDULE_VIEW = "court:schedule:view"
    USER_MANAGE = "user:manage"
    AUDIT_VIEW = "audit:view"
    OUTCOME_RECORD = "outcome:record"
    NOTIFICATION_VIEW = "notification:view"
    NOTIFICATION_MANAGE = "notification:manage"
    BENEFIT_VIEW = "benefit:view"
    BENEFIT_RECORD = "benefit:record"
    CONCERN_RAISE = "concern:raise"
    CONCERN_REVIEW = "concern:review"
    DISCLOSURE_VIEW = "disclosure:view"
    DISCLOSURE_RECORD = "disclosure:record"
    LEDGER_VERIFY = "ledger:verify"
    FEED_SUBSCRIBE = "feed:subscribe"


_STAFF_CASEWORK = {
    Permission.WITNESS_LIST,
    Permission.WITNESS_VIEW,
    Permission.CASE_LIST,
    Permission.CASE_VIEW,
    Permission.RISK_VIEW,
    Permission.COURT_EVENT_VIEW,
    Permission.COURT_EVENT_MANAGE,
    Permission.AID_VIEW,
    Permission.AID_MANAGE,
    Permission.READINESS_VIEW,
    Permission.SCHEDULE_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Admins run checkpoints and verification, which show no witness data.
    Role.ADMIN: frozenset({Permission.USER_MANAGE, Permission.AUDIT_VIEW, Permission.LEDGER_VERIFY}),
    Role.LIAISON_OFFICER: frozenset(
        _STAFF_CASEWORK
        | {
            Permission.WITNESS_CREATE,
            Permission.WITNESS_EDIT,
            Permission.WITNESS_ASSIGN,
            Permission.CASE_CREATE,
            Permission.CASE_EDIT,
            Permission.JOURNEY_START,
            Permission.JOURNEY_TRANSITION,
            Permission.RISK_CREATE,
            Permission.OUTCOME_RECORD,
            Permission.NOTIFICATION_VIEW,
            Permission.NOTIFICATION_MANAGE,
            Permission.BENEFIT_VIEW,
            Permission.BENEFIT_RECORD,
            Permission.CONCERN_RAISE,
            Permission.CONCERN_REVIEW,
            Permission.DISCLOSURE_VIEW,
            Permission.COURT_ATTENDANCE_MANAGE,
            Permission.FEED_SUBSCRIBE,
        }
    ),
    Role.PROSECUTOR: frozenset(
        _STAFF_CASEWORK
        | {
            Permission.CASE_CREATE,
            Permission.CASE_EDIT,
            Permission.JOURNEY_START,
            Permission.OUTCOME_RECORD,
            Permission.NOTIFICATION_VIEW,
            Permission.BENEFIT_VIEW,
            Permission.CONCERN_RAISE,
            Permission.CONCERN_REVIEW,
            Permission.DISCLOSURE_VIEW,
            # Prosecutors hand the schedule to the defence, so they record when they did.
            Permission.DISCLOSURE_RECORD,
            Permission.FEED_SUBSCRIBE,
        }
    ),
    # Support persons reach witnesses only through their own assignments, pseudonymously
    # unless their role on that witness needs the identity (a guardian, say).
    # They often see misuse of support first, so they may raise a concern (and see the entries).
    Role.SUPPORT_PERSON: frozenset(
        {Permission.WITNESS_LIST, Permission.WITNESS_VIEW, Permission.BENEFIT_VIEW, Permission.CONCERN_RAISE,
         Permission.SCHEDULE_VIEW, Permission.FEED_SUBSCRIBE}
    ),
}


def has_permission(user: User | None, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


# Assignment roles on a witness that need to know who the witness is. An interpreter or an
# intermediary works with the pseudonymous reference and the practical details only.
IDENTITY_ASSIGNMENT_ROLES = frozenset({"liaison_officer", "support_worker", "guardian"})


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
    """A SELECT of the ids of the witnesses whose identity this user may see (can_view_identity).

    Search by name is limited to these: otherwise a match would tell an interpreter a name.
    """
    from .witnesses.models import WitnessAssignment

    if not has_permission(user, Permission.WITNESS_VIEW):
        return sa.select(WitnessAssignment.witness_id).where(sa.false())
    if user.role in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
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
    from .extensions import db

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
    from .extensions import db

    query = sa.select(sa.literal(True)).where(
        sa.literal(witness.id).in_(visible_witness_ids(user).scalar_subquery())
    )
    return bool(db.session.execute(query).scalar())


def can_view_identity(user: User, witness: Witness) -> bool:
    """Identity (name, birth date, contact, address) is for staff assigned to the witness or
    their case, and for support persons whose assignment role needs it."""
    if not can_view_witness(user, witness):
        return False
    if user.role in (Role.LIAISON_OFFICER, Role.PROSECUTOR):
        return True
    from .extensions import db
    from .witnesses.models import WitnessAssignment

    query = sa.select(sa.func.count()).where(
        WitnessAssignment.user_id == user.id,
        WitnessAssignment.witness_id == witness.id,
        WitnessAssignment.role.in_(IDENTITY_ASSIGNMENT_ROLES),
        WitnessAssignment.active_clause(),
    )
    return bool(db.session.execute(query).scalar())


@sql_rule(case_rule(Permission.CASE_VIEW))
def can_view_case(user: User, case: Case) -> bool:
    if not has_permission(user, Permission.CASE_VIEW):
        return False
    from .extensions import db

    query = sa.select(sa.literal(True)).where(
        sa.literal(case.id).in_(visible_case_ids(user).scalar_subquery())
    )
    return bool(db.session.execute(query).scalar())


@sql_rule(witness_rule(Permission.WITNESS_EDIT))
def can_edit_witness(user: User, witness: Witness) -> bool:
    return has_permission(user, Permission.WITNESS_EDIT) and can_view_witness(user, witness)


@sql_rule(case_rule(Permission.CASE_EDIT))
def can_edit_case(user: User, case: Case) -> bool:
    return has_permission(user, Permission.CASE_EDIT) and can_view_case(user, case)


# ---- the same rules, shaped for large caseloads --------------------------------------------------

# Above this many open case assignments a person's lists read the big tables in index order and
# check need-to-know per row (correlated EXISTS), stopping after one page; below it the lists start
# from the person's few ids (IN), as the planner cannot tell the two apart by itself.
BROAD_CASELOAD = 200


def has_broad_caseload(user: User) -> bool:
    """One bounded query: does the user work on more than BROAD_CASELOAD cases?"""
    from .cases.models import CaseAssignment
    from .extensions import db

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

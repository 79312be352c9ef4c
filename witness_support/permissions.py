"""Named permissions, the role table, the field groups and who sees each group.

Two levels: a role grants a permission for a kind of action (checked on the route); access.py
decides whether this user may see this witness or case at all, and which field groups of it.
Anything a user may not see answers 404 so that nobody learns a witness exists; a field group a
user may not see is left out (absent, not blanked).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .auth.models import User


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
    SERVICES_RECORD = "services:record"
    # Documents: listing and downloading those of a field group one sees; uploading (documents/).
    DOCUMENT_VIEW = "document:view"
    DOCUMENT_UPLOAD = "document:upload"
    ORGANISATION_MANAGE = "organisation:manage"
    # The contact log: read by those who reach the witness (not the prosecution: see the contact
    # field group); an officer logs every contact; a support person logs court-day notes for the
    # witnesses they are assigned to.
    CONTACT_VIEW = "witness:contact:view"
    CONTACT_LOG = "witness:contact:log"
    CONTACT_COURT_NOTE = "witness:contact:court_note"
    DATES_TO_AVOID_RECORD = "witness:dates_to_avoid:record"
    # How a witness's attendance at a court event went (the officer, or the prosecutor in court).
    ATTENDANCE_OUTCOME_RECORD = "court:attendance:outcome"
    # Open an unassigned witness's identity, location and contact for a few hours, with a reason.
    BREAK_GLASS_USE = "witness:break_glass:use"
    # Mark a high-risk witness one's own officer answers for as closed to break-glass.
    BREAK_GLASS_REFUSE = "witness:break_glass:refuse"


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
    Permission.DOCUMENT_VIEW,
    Permission.DOCUMENT_UPLOAD,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Admins run checkpoints and verification, which show no witness data.
    # They also keep the directory of organisations, which holds no witness data.
    Role.ADMIN: frozenset({Permission.USER_MANAGE, Permission.AUDIT_VIEW, Permission.LEDGER_VERIFY,
                           Permission.ORGANISATION_MANAGE}),
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
            Permission.SERVICES_RECORD,
            Permission.ORGANISATION_MANAGE,
            Permission.CONTACT_VIEW,
            Permission.CONTACT_LOG,
            Permission.CONTACT_COURT_NOTE,
            Permission.DATES_TO_AVOID_RECORD,
            Permission.ATTENDANCE_OUTCOME_RECORD,
            # The on-call officer at night, when a witness calls in danger, is a liaison officer.
            Permission.BREAK_GLASS_USE,
            Permission.BREAK_GLASS_REFUSE,
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
            Permission.ATTENDANCE_OUTCOME_RECORD,
        }
    ),
    # Support persons reach witnesses only through their own assignments, pseudonymously
    # unless their role on that witness needs the identity (a guardian, say).
    # They often see misuse of support first, so they may raise a concern (and see the entries).
    # They may read the documents of the field groups their part opens (an intermediary, the
    # needs assessment), not file new ones: papers reach the file through the witness's officer.
    Role.SUPPORT_PERSON: frozenset(
        {Permission.WITNESS_LIST, Permission.WITNESS_VIEW, Permission.BENEFIT_VIEW, Permission.CONCERN_RAISE,
         Permission.SCHEDULE_VIEW, Permission.FEED_SUBSCRIBE, Permission.CONTACT_VIEW,
         Permission.CONTACT_COURT_NOTE, Permission.DOCUMENT_VIEW}
    ),
}


def has_permission(user: User | None, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


# ---- field groups: need-to-know per field ------------------------------------------------------


class FieldGroup(StrEnum):
    IDENTITY = "identity"
    LOCATION = "location"
    CONTACT = "contact"
    RISK_DETAIL = "risk_detail"
    RISK_LEVEL = "risk_level"
    NEEDS = "needs"
    BENEFITS_DETAIL = "benefits_detail"
    BENEFITS_SUMMARY = "benefits_summary"
    COURT_LOGISTICS = "court_logistics"


# Every field that carries witness data, as "resource.field", in exactly one group. A resource
# is what a serialiser or a page section shows; "benefit.accommodation" is a benefit of the
# accommodation kind, whose provider and description say where the witness lives. Fields of a
# resource that are not listed here are left out of the API's JSON (access.filter_fields), and a
# test fails on any field a serialiser emits without a group.
FIELD_GROUPS: dict[FieldGroup, frozenset[str]] = {
    FieldGroup.IDENTITY: frozenset({
        "witness.legal_name", "witness.date_of_birth", "witness.gender", "witness.nationality",
        "witness.country_of_origin",
        # Residence, charges against the witness and what the investigation took say who they are.
        "residence_permit.kind", "residence_permit.number", "residence_permit.issued_on",
        "residence_permit.expires_on", "residence_permit.depends_on_case", "residence_permit.case_id",
        "residence_permit.note",
        "charge_against_witness.offence", "charge_against_witness.details",
        "charge_against_witness.arose_from_trafficking", "charge_against_witness.decision",
        "charge_against_witness.decided_on",
        "property_item.kind", "property_item.description", "property_item.taken_on", "property_item.taken_by",
        "property_item.exhibit_reference", "property_item.held_at", "property_item.needed_urgently",
        "property_item.needed_for", "property_item.return_requested_on", "property_item.collectable_from",
        "property_item.returned_on", "property_item.not_returned_reason", "property_item.case_id",
    }),
    FieldGroup.LOCATION: frozenset({
        "witness.address", "benefit.accommodation.provider", "benefit.accommodation.description",
        "notice_preferences.postal_address",
        # Bail conditions that name a place (where the defendant may not go, or must live) can say
        # where the witness lives; so can a plan measure that moves or shelters the witness.
        "bail_condition.exclusion_zone.text", "bail_condition.residence.text",
        *(f"plan_measure.{kind}.{field}" for kind in ("relocation", "safe_accommodation")
          for field in ("kind", "text", "responsible")),
    }),
    FieldGroup.CONTACT: frozenset({
        "witness.contact_details", "notice_preferences.email", "notice_preferences.phone",
        "notice_preferences.third_party_name",
        # The contact log says when and how the witness was reached and what they said: the same
        # need-to-know as how to reach them (their officer, guardian, support worker, break-glass),
        # and not the prosecution's, whose talks with a witness about the case would be disclosable.
        *(f"contact.{name}" for name in (
            "occurred_at", "local_occurred_at", "timezone", "channel", "counterpart", "staff_id",
            "interpreter_language", "interpreter_name", "summary", "follow_up_on", "task_id", "created_at")),
    }),
    FieldGroup.RISK_DETAIL: frozenset({
        "risk_assessment.threats", "risk_assessment.measures",
        "protection_plan.revisions", "plan_revision.number", "plan_revision.review_on", "plan_revision.summary",
        "plan_revision.risk_assessment_id", "plan_revision.task_id", "plan_revision.revised_by_id",
        "plan_revision.revised_at", "plan_revision.measures",
        "plan_measure.kind", "plan_measure.text", "plan_measure.responsible",
    }),
    FieldGroup.RISK_LEVEL: frozenset({
        "witness.risk_level", "witness.high_risk", "witness.next_review_on",
        "risk_assessment.level", "risk_assessment.stage", "risk_assessment.assessed_on",
        "risk_assessment.next_review_on", "risk_assessment.assessor_id",
    }),
    # What the witness was told and agreed to, their referrals and service plan: consent
    # details say who they trust and what they need, so they are need-to-know like the rest.
    FieldGroup.NEEDS: frozenset({
        "witness.presumed_child", "witness.age_assessment",
        *(f"information_given.{name}" for name in (
            "topic", "method", "language", "interpreter", "given_by_id", "given_at", "questions")),
        *(f"consent.{name}" for name in (
            "purpose", "organisation_id", "service", "detail", "scope", "given_at", "given_how", "given_to_id",
            "guardian_involvement", "child_view", "withdrawn_at", "withdrawal_note", "active")),
        *(f"referral.{name}" for name in (
            "organisation_id", "consent_id", "service", "field_groups", "status", "no_terms_reason", "note",
            "decline_reason", "feedback", "sent_at", "respond_by", "answered_at", "stopped_at", "created_by_id")),
        *(f"service_need.{name}" for name in ("service", "area", "status", "goal", "organisation_id", "review_on")),
        *(f"sustainability_review.{name}" for name in (
            "journey_id", "continues_after", "reviewed_by_id", "reviewed_at")),
        # Why a witness cannot attend (their health, faith, exams, children) is theirs; a scheduler
        # is told only the days (court logistics).
        "date_to_avoid.reason", "date_to_avoid.note",
    }),
    FieldGroup.BENEFITS_DETAIL: frozenset({
        "benefit.description", "benefit.provider", "benefit.rationale", "benefit.correction_reason",
        "benefit.authorised_by", "benefit.entered_by", "benefit.entered_at", "benefit.provided_until",
        "benefit.authorised_by_id", "benefit.entered_by_id",
    }),
    FieldGroup.BENEFITS_SUMMARY: frozenset({
        "benefit.kind", "benefit.amount", "benefit.currency", "benefit.provided_on", "benefit.corrects_id",
        "benefit.correction_type", "benefit.near_testimony", "benefit.corrected_by",
        # Compensation is no benefit, but its amounts are as sensitive as the benefits' summary.
        "compensation_claim.route", "compensation_claim.respondent", "compensation_claim.defendant_id",
        "compensation_claim.respondent_name", "compensation_claim.heads_of_loss",
        "compensation_claim.amount_claimed", "compensation_claim.claimed_currency",
        "compensation_claim.amount_awarded", "compensation_claim.awarded_currency", "compensation_claim.awarded_on",
        "compensation_claim.award_reason", "compensation_claim.amount_paid", "compensation_claim.payments",
        "compensation_claim.limitation_on", "compensation_claim.filing_due_on", "compensation_claim.filed_on",
        "compensation_claim.hearing_on", "compensation_claim.payment_due_on", "compensation_claim.status",
        "compensation_claim.acting", "compensation_claim.case_id", "compensation_claim.outcome_id",
        "compensation_payment.amount", "compensation_payment.currency", "compensation_payment.paid_on",
        "compensation_payment.note",
        # A concern of misuse of support is about the benefits: free text read with them.
        "concern.description", "concern.resolution", "concern.raised_by", "concern.raised_at", "concern.status",
        "concern.resolved_at", "concern.resolved_by",
    }),
    FieldGroup.COURT_LOGISTICS: frozenset({
        "witness.reference", "witness.is_child", "witness.stages", "witness.participation",
        "witness.in_reflection_period", "witness.reflection_start", "witness.reflection_end",
        "witness.reflection_starts_on", "witness.reflection_ends_on",
        "witness.preferred_language", "witness.interpreter_language",
        # A court event (as the API gives it, with its witnesses, attendance and history) and a
        # testimonial aid are court logistics of the witnesses they name.
        "court_event.kind", "court_event.status", "court_event.starts_at", "court_event.ends_at",
        "court_event.local_starts_at", "court_event.local_ends_at", "court_event.court_timezone",
        "court_event.court_name", "court_event.room", "court_event.remote_link", "court_event.interpreter_language",
        "court_event.revision", "court_event.updated_at", "court_event.witnesses", "court_event.attendance",
        "court_event.history",
        "aid.kind", "aid.status", "aid.applied_on", "aid.decided_on", "aid.order_reference", "aid.note",
        "aid.proposed_automatically", "aid.history",
        "defendant.custody_status", "defendant.events",
        "custody_event.kind", "custody_event.words", "custody_event.occurred_at", "custody_event.learned_at",
        "custody_event.source", "custody_event.note", "custody_event.release_date", "custody_event.hearing_on",
        "custody_event.corrects_id", "custody_event.entered_by_id", "custody_event.entered_at",
        "custody_event.conditions", "bail_condition.kind", "bail_condition.text", "bail_condition.witness_id",
        "enrolment.enrolled", "enrolment.changed_at", "enrolment.reason",
        "date_to_avoid.first_day", "date_to_avoid.last_day", "date_to_avoid.created_at",
        "date_to_avoid.removed_at",
        "attendance_outcome.outcome", "attendance_outcome.outcome_reason", "attendance_outcome.recorded_at",
        "attendance_outcome.recorded_by_id",
    }),
}

# Fields that carry no witness data (ids, the chain's hashes): shown to whoever sees the object.
UNGUARDED_FIELDS: frozenset[str] = frozenset({
    "witness.id", "risk_assessment.id", "risk_assessment.witness_id", "benefit.id", "benefit.sequence",
    "benefit.witness_id", "benefit.prev_hash", "benefit.hash", "notice_preferences.witness_id",
    "notice_preferences.channel", "notice_preferences.language", "notice_preferences.opted_out",
    "notice_preferences.stored", "notice_preferences.contact_is_safe",
    "compensation_claim.id", "compensation_claim.witness_id", "compensation_payment.id",
    "compensation_payment.claim_id", "residence_permit.id", "residence_permit.witness_id",
    "charge_against_witness.id", "charge_against_witness.witness_id", "property_item.id", "property_item.witness_id",
    "information_given.id", "information_given.witness_id", "consent.id", "consent.witness_id", "referral.id",
    "referral.witness_id", "service_need.id", "service_need.witness_id", "sustainability_review.id",
    "sustainability_review.witness_id",
    "court_event.id", "court_event.case_id", "aid.id", "aid.witness_id", "aid.case_id",
    "concern.id", "concern.witness_id", "concern.entry_id",
    # A defendant is not witness data; the custody and plan records are reached through their ids.
    "defendant.id", "defendant.case_id", "defendant.name", "custody_event.id", "custody_event.defendant_id",
    "custody_event.case_id", "bail_condition.id", "protection_plan.witness_id", "plan_revision.id",
    "plan_measure.id", "enrolment.witness_id", "enrolment.case_id",
    "contact.id", "contact.witness_id", "date_to_avoid.id", "date_to_avoid.witness_id",
    "attendance_outcome.event_id", "attendance_outcome.witness_id",
})

_ALL = frozenset(FieldGroup)
_PROSECUTION = frozenset({
    FieldGroup.IDENTITY, FieldGroup.NEEDS, FieldGroup.RISK_DETAIL, FieldGroup.RISK_LEVEL,
    FieldGroup.BENEFITS_DETAIL, FieldGroup.BENEFITS_SUMMARY, FieldGroup.COURT_LOGISTICS,
})

# Who sees which group, by the person's assignment role on that witness (docs/security.md
# gives the reason for each cell, and a test holds the two tables together).
ASSIGNMENT_GROUPS: dict[str, frozenset[FieldGroup]] = {
    "liaison_officer": _ALL,
    "guardian": _ALL - {FieldGroup.BENEFITS_DETAIL},
    "support_worker": frozenset({
        FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NEEDS, FieldGroup.RISK_LEVEL, FieldGroup.BENEFITS_SUMMARY,
        FieldGroup.COURT_LOGISTICS,
    }),
    "intermediary": frozenset({FieldGroup.NEEDS, FieldGroup.RISK_LEVEL, FieldGroup.COURT_LOGISTICS}),
    "interpreter": frozenset({FieldGroup.RISK_LEVEL, FieldGroup.COURT_LOGISTICS}),
}

# Staff who see a witness through a case they work on, without being assigned to the witness:
# what the prosecution needs, not where the witness lives or how to reach them (they ask the
# witness's officer, or an officer opens it by break-glass).
CASE_GROUPS: dict[Role, frozenset[FieldGroup]] = {
    Role.PROSECUTOR: _PROSECUTION,
    Role.LIAISON_OFFICER: _PROSECUTION,
}

# What a break-glass grant opens while it lasts: who the witness is, where and how to reach them,
# and (as every way of seeing a witness) the list groups. Not the risk detail, needs or benefits:
# the emergency is finding and reaching the witness; the rest can wait for their own officer.
BREAK_GLASS_GROUPS: frozenset[FieldGroup] = frozenset({
    FieldGroup.IDENTITY, FieldGroup.LOCATION, FieldGroup.CONTACT, FieldGroup.RISK_LEVEL, FieldGroup.COURT_LOGISTICS,
})

# The most a staff role can ever see, whatever the assignments say.
ROLE_GROUP_LIMIT: dict[Role, frozenset[FieldGroup]] = {
    Role.ADMIN: frozenset(),
    Role.LIAISON_OFFICER: _ALL,
    Role.PROSECUTOR: _ALL,
    Role.SUPPORT_PERSON: _ALL,
}

# The groups whose every read is audited (and listed to the witness's officer).
PROTECTED_GROUPS = frozenset({FieldGroup.IDENTITY, FieldGroup.LOCATION, FieldGroup.CONTACT})

# Groups every way of seeing a witness includes, so lists that show only these (reference, risk
# flag, child flag, next court date, stages) need no per-row check.
LIST_GROUPS = frozenset({FieldGroup.RISK_LEVEL, FieldGroup.COURT_LOGISTICS})


def groups_for(
    role: Role | str, assignment_roles: set[str] | frozenset[str], via_case: bool, break_glass: bool = False
) -> frozenset[FieldGroup]:
    """The groups a person of staff `role` sees of a witness they hold `assignment_roles` on (active
    assignments), with `via_case` reach through one of their cases, and with `break_glass` hold a
    grant on that lasts."""
    groups: set[FieldGroup] = set()
    for assignment_role in assignment_roles:
        groups |= ASSIGNMENT_GROUPS.get(assignment_role, frozenset())
    if via_case:
        groups |= CASE_GROUPS.get(Role(role), frozenset())
    if break_glass and Permission.BREAK_GLASS_USE in ROLE_PERMISSIONS.get(Role(role), frozenset()):
        groups |= BREAK_GLASS_GROUPS
    return frozenset(groups) & ROLE_GROUP_LIMIT.get(Role(role), frozenset())


def field_group(resource: str, field: str) -> FieldGroup | None:
    """The group of `resource.field`; a resource "a.b" falls back to "a" for fields it does not name."""
    name = f"{resource}.{field}"
    group = _GROUP_OF.get(name)
    if group is None and "." in resource:
        return field_group(resource.rsplit(".", 1)[0], field)
    return group


_GROUP_OF: dict[str, FieldGroup] = {name: group for group, names in FIELD_GROUPS.items() for name in names}

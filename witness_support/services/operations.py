"""The rules of sustainable protection. Each operation validates, changes, flushes and audits;
none commits. Referral emails are queued (mail.queue_email) and leave only after the commit.

The audit trail names records and field groups, never their content (the questions a witness
asked, a family member's name, what a referral letter said).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from .. import audit, mail
from ..access import visible_groups
from ..auth.models import User
from ..cases.models import Journey
from ..cases.queries import liaison_officer_for
from ..countries import normalise_country
from ..db import today_utc, utc_now
from ..errors import Conflict, OperationError, ValidationFailed
from ..extensions import db
from ..permissions import FieldGroup
from ..tasks.operations import create_task
from ..witnesses.models import Witness
from . import queries
from .models import (
    NEXT_STATUSES,
    OPEN_NEED_STATUSES,
    REFERRAL_PURPOSES,
    SERVICES,
    Consent,
    InformationGiven,
    Method,
    NeedStatus,
    Organisation,
    OrganisationKind,
    Purpose,
    Referral,
    ReferralStatus,
    ServiceNeed,
    SustainabilityReview,
    Topic,
    service_words,
)
from .reminders import answer_due

_CLOCK_SKEW = timedelta(minutes=5)


def _text(errors: dict[str, str], name: str, value: str | None, limit: int, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = f"At most {limit} characters."
    return value


def _when(errors: dict[str, str], name: str, value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    if value > now + _CLOCK_SKEW:
        errors[name] = "This cannot be in the future."
    return value


def _officer(witness: Witness, fallback: User | None) -> User | None:
    return liaison_officer_for(witness.id) or fallback


# ---- information given ---------------------------------------------------------------------------


def record_information(
    actor: User, witness: Witness, *, topic: str, method: str, language: str, interpreter: str = "",
    given_at: datetime | None = None, questions: str = "", given_by: User | None = None,
) -> InformationGiven:
    """Record that the witness was told about `topic`, how, in which language and with which
    interpreter, and what they asked."""
    errors: dict[str, str] = {}
    if topic not in set(Topic):
        errors["topic"] = "Choose what was explained from the list."
    if method not in set(Method):
        errors["method"] = "Choose orally, in writing, or both."
    language = _text(errors, "language", language, 35, required="Give the language it was explained in.")
    interpreter = _text(errors, "interpreter", interpreter, 200)
    questions = _text(errors, "questions", questions, 5000)
    given_at = _when(errors, "given_at", given_at, utc_now())
    if errors:
        raise ValidationFailed(errors)
    entry = InformationGiven(
        witness_id=witness.id, topic=topic, method=method, language=language, interpreter=interpreter,
        given_at=given_at, questions=questions, given_by_id=(given_by or actor).id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("services.information", entry, actor=actor, details={"topic": topic, "method": method})
    return entry


# ---- consent -------------------------------------------------------------------------------------


def _scope(errors: dict[str, str], scope: list[str] | None) -> list[str]:
    scope = list(dict.fromkeys(scope or []))
    unknown = [g for g in scope if g not in set(FieldGroup)]
    if unknown:
        errors["scope"] = "Unknown field groups: " + ", ".join(map(str, unknown)) + "."
    return sorted(scope)


def record_consent(  # noqa: C901 - one check per rule, each with its own message
    actor: User, witness: Witness, *, purpose: str, scope: list[str] | None = None,
    organisation: Organisation | None = None, service: str | None = None, detail: str = "",
    given_at: datetime | None = None, given_how: str = Method.ORAL, guardian_involvement: str = "",
    child_view: str = "",
) -> Consent:
    """Record what the witness agreed to. A child's consent needs the guardian's involvement and
    how the child's own view was heard."""
    errors: dict[str, str] = {}
    if purpose not in set(Purpose):
        errors["purpose"] = "Choose what the consent is for."
    scope = _scope(errors, scope)
    detail = _text(errors, "detail", detail, 300)
    guardian_involvement = _text(errors, "guardian_involvement", guardian_involvement, 2000)
    child_view = _text(errors, "child_view", child_view, 2000)
    if given_how not in set(Method):
        errors["given_how"] = "Choose orally, in writing, or both."
    given_at = _when(errors, "given_at", given_at, utc_now())
    if purpose in REFERRAL_PURPOSES:
        # Without a named organisation, a consent to share covers any organisation of the directory
        # for that service, except one in the witness's country of origin (create_referral).
        if organisation is None and purpose == Purpose.SHARE_WITH_CONSULATE:
            errors["organisation_id"] = "Name the consulate the witness agreed to share with."
        elif purpose == Purpose.SHARE_WITH_CONSULATE and organisation.kind != OrganisationKind.EMBASSY:
            errors["organisation_id"] = "Choose an embassy or consulate from the directory."
        if purpose == Purpose.SHARE_WITH_ORGANISATION and service not in SERVICES:
            errors["service"] = "Name the service the witness agreed to be referred for."
        if service is not None and service not in SERVICES:
            errors["service"] = "Choose a service from the list."
        if not scope:
            errors["scope"] = "Choose which field groups may be shared (at least one)."
    else:
        if organisation is not None:
            errors["organisation_id"] = "Only a consent to share with an organisation or the consulate names one."
        if purpose in (Purpose.RECEIVE_NOTICES, Purpose.CONTACT_FAMILY) and not detail:
            errors["detail"] = ("Give the channel for notices." if purpose == Purpose.RECEIVE_NOTICES
                                else "Say which family member may be contacted.")
    if witness.is_child:
        if not guardian_involvement:
            errors["guardian_involvement"] = (f"{witness.reference} is a child: record how the guardian was "
                                              "involved in this consent.")
        if not child_view:
            errors["child_view"] = "Record how the child's own view was heard."
    if errors:
        raise ValidationFailed(errors)
    consent = Consent(
        witness_id=witness.id, purpose=purpose, scope=scope,
        organisation_id=organisation.id if organisation else None,
        service=service if purpose in REFERRAL_PURPOSES else None, detail=detail, given_at=given_at,
        given_how=given_how, given_to_id=actor.id, guardian_involvement=guardian_involvement, child_view=child_view,
    )
    db.session.add(consent)
    db.session.flush()
    audit.record("services.consent", consent, actor=actor, details={
        "purpose": purpose, "scope": scope, "organisation_id": consent.organisation_id, "service": consent.service,
    })
    return consent


def withdraw_consent(actor: User, consent: Consent, *, note: str = "") -> Consent:
    """Withdrawal takes effect at once: referrals not yet sent under it stop; for those already
    sent the officer gets a task to tell the organisation. A withdrawn consent is never used again."""
    if consent.withdrawn_at is not None:
        raise Conflict("This consent was already withdrawn; a new agreement is a new consent.")
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, 2000)
    if errors:
        raise ValidationFailed(errors)
    now = utc_now()
    consent.withdrawn_at, consent.withdrawn_by_id, consent.withdrawal_note = now, actor.id, note
    referrals = db.session.execute(sa.select(Referral).where(Referral.consent_id == consent.id)).scalars().all()
    witness = db.session.get(Witness, consent.witness_id)
    stopped, told = [], []
    for referral in referrals:
        if referral.status == ReferralStatus.PENDING:
            referral.status, referral.stopped_at = ReferralStatus.STOPPED, now
            stopped.append(referral.id)
        elif referral.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
            officer = _officer(witness, actor)
            create_task(
                officer, "referral_consent_withdrawn",
                f"{witness.reference} withdrew consent: tell {referral.organisation.name} to stop using and "
                f"delete what was sent (referral #{referral.id})",
                witness_id=witness.id, urgent=True, source=("referral", referral.id),
                dedup_key=f"referral-withdrawn-{referral.id}", actor=actor,
            )
            told.append(referral.id)
    db.session.flush()
    audit.record("services.consent.withdraw", consent, actor=actor,
                 details={"stopped_referrals": stopped, "tasks_for_referrals": told})
    return consent


# ---- organisations -------------------------------------------------------------------------------


def save_organisation(  # noqa: C901 - one check per field
    actor: User, organisation: Organisation | None = None, *, name: str, kind: str, services: list[str] | None = None,
    areas: str = "", country_code: str = "", email: str = "", safe_contact_route: str = "",
    confidentiality_agreed_on: date | None = None, confidentiality_document: str = "",
) -> Organisation:
    """Add an organisation to the directory, or change one."""
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, 200, required="Give the organisation's name.")
    if kind not in set(OrganisationKind):
        errors["kind"] = "Choose what kind of organisation it is."
    services = list(dict.fromkeys(services or []))
    if any(s not in SERVICES for s in services):
        errors["services"] = "Choose services from the list."
    areas = _text(errors, "areas", areas, 500)
    code = normalise_country(country_code)
    if code is None:
        errors["country_code"] = "Choose the country from the list (an ISO 3166-1 code such as MY)."
    email = _text(errors, "email", email, 254)
    if email and ("@" not in email or " " in email):
        errors["email"] = "Give an email address like name@example.org, or leave it empty."
    safe_contact_route = _text(errors, "safe_contact_route", safe_contact_route, 2000)
    confidentiality_document = _text(errors, "confidentiality_document", confidentiality_document, 300)
    if confidentiality_agreed_on is not None:
        if confidentiality_agreed_on > today_utc():
            errors["confidentiality_agreed_on"] = "This cannot be in the future."
        if not confidentiality_document:
            errors["confidentiality_document"] = "Name the signed terms (document reference)."
    elif confidentiality_document:
        errors["confidentiality_agreed_on"] = "Give the date the terms were agreed."
    if name and "name" not in errors:
        clash = db.session.execute(sa.select(Organisation.id).where(
            sa.func.lower(Organisation.name) == name.lower(),
            Organisation.id != (organisation.id if organisation else -1))).scalar()
        if clash is not None:
            errors["name"] = "An organisation of this name is already in the directory."
    if errors:
        raise ValidationFailed(errors)
    created = organisation is None
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    values = {"name": name, "kind": kind, "services": services, "areas": areas, "country_code": code or "",
              "email": email,
              "safe_contact_route": safe_contact_route, "confidentiality_agreed_on": confidentiality_agreed_on,
              "confidentiality_document": confidentiality_document}
    for key, value in values.items():
        setattr(organisation, key, value)
    db.session.flush()
    audit.record("services.organisation." + ("create" if created else "update"), organisation, actor=actor)
    return organisation


# ---- referrals -----------------------------------------------------------------------------------


def in_country_of_origin(witness: Witness, organisation: Organisation) -> bool | None:
    """Is the organisation in (or of) the witness's country of origin? By ISO 3166-1 code; an
    embassy always counts. None when it cannot be told: the organisation has a country but the
    witness's country of origin is not recorded (the referral then needs a consent naming it)."""
    if organisation.kind == OrganisationKind.EMBASSY:
        return True
    if not organisation.country_code:
        return False
    if not witness.country_of_origin:
        return None
    return witness.country_of_origin == organisation.country_code


def _covering_problem(witness: Witness, organisation: Organisation, service: str, consent: Consent | None,
                      groups: list[str]) -> str:
    """What the consent leaves uncovered, in words; empty when it covers the referral."""
    if consent is None or consent.witness_id != witness.id:
        return f"No consent of {witness.reference} was given for this referral: record one first."
    if consent.withdrawn_at is not None:
        return "This consent was withdrawn and can never be used again; record a new consent."
    if consent.purpose not in REFERRAL_PURPOSES:
        return f"This consent is to {consent.purpose_words}, not to share with an organisation."
    missing = []
    if consent.organisation_id is not None and consent.organisation_id != organisation.id:
        missing.append(f"the organisation {organisation.name}")
    if consent.service is not None and consent.service != service:
        missing.append(f"the service {service_words(service)}")
    uncovered = sorted(set(groups) - set(consent.scope))
    if uncovered:
        missing.append("the field groups " + ", ".join(uncovered))
    if missing:
        return "The consent does not cover " + "; ".join(missing) + "."
    return ""


def _origin_problem(witness: Witness, organisation: Organisation, consent: Consent) -> str:
    """Why the referral may not go to the country of origin under this consent; empty when it may."""
    origin = in_country_of_origin(witness, organisation)
    if origin is False or consent.organisation_id == organisation.id:
        return ""
    if origin:
        return (f"{organisation.name} is in the witness's country of origin: nothing goes there without a consent "
                "naming it.")
    return (f"{witness.reference}'s country of origin is not recorded, so {organisation.name} "
            f"({organisation.country}) may be in it: record the country of origin, or a consent naming the "
            "organisation.")


def create_referral(  # noqa: C901 - one check per rule, each with its own message
    actor: User, witness: Witness, *, organisation: Organisation | None, service: str, consent: Consent | None,
    field_groups: list[str] | None = None, no_terms_reason: str = "", note: str = "", send: bool = True,
) -> Referral:
    """Refer the witness to an organisation for a service under a consent that covers the
    organisation, the service and every field group sent; with `send`, send it at once."""
    errors: dict[str, str] = {}
    groups = list(dict.fromkeys(field_groups or []))
    if any(g not in queries.LETTER_GROUPS for g in groups):
        errors["field_groups"] = "Choose from: " + ", ".join(sorted(queries.LETTER_GROUPS)) + "."
    if organisation is None:
        errors["organisation_id"] = "Choose the organisation from the directory."
    if service not in SERVICES:
        errors["service"] = "Choose the service from the list."
    no_terms_reason = _text(errors, "no_terms_reason", no_terms_reason, 2000)
    note = _text(errors, "note", note, 2000)
    if errors or organisation is None:  # no organisation is among the errors
        raise ValidationFailed(errors)
    problem = _covering_problem(witness, organisation, service, consent, groups)
    if problem:
        raise OperationError(problem, {"consent_id": problem})
    problem = _origin_problem(witness, organisation, consent)
    if problem:
        raise OperationError(problem, {"consent_id": problem})
    if not organisation.has_confidentiality_terms and not no_terms_reason:
        raise ValidationFailed({"no_terms_reason": f"{organisation.name} has not agreed to confidentiality terms: "
                                                   "record why the referral should go anyway."})
    unseen = set(groups) - set(visible_groups(actor, witness))
    if unseen:
        raise ValidationFailed({"field_groups": "You cannot send what you do not see: " + ", ".join(sorted(unseen))})
    referral = Referral(
        witness_id=witness.id, organisation_id=organisation.id, consent_id=consent.id, service=service,
        field_groups=sorted(groups), no_terms_reason=no_terms_reason if not organisation.has_confidentiality_terms
        else "", note=note, created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    audit.record("services.referral", referral, actor=actor, details={
        "organisation_id": organisation.id, "service": service, "consent_id": consent.id, "groups": sorted(groups),
        "without_terms": not organisation.has_confidentiality_terms,
    })
    if send:
        send_referral(actor, referral)
    return referral


def send_referral(actor: User, referral: Referral) -> Referral:
    """Send a pending referral: the letter by email to the organisation (after the commit), and
    the date by which an answer is expected."""
    if referral.status != ReferralStatus.PENDING:
        raise Conflict(f"This referral is {referral.status.replace('_', ' ')}; only a pending one is sent.")
    consent = referral.consent
    witness = db.session.get(Witness, referral.witness_id)
    problem = (_covering_problem(witness, referral.organisation, referral.service, consent, referral.field_groups)
               or _origin_problem(witness, referral.organisation, consent))
    if problem:
        raise OperationError(problem, {"consent_id": problem})
    now = utc_now()
    referral.status, referral.sent_at = ReferralStatus.SENT, now
    referral.respond_by = answer_due(witness.id, now)
    db.session.flush()
    letter = queries.referral_letter(referral, witness)
    if referral.organisation.email:
        mail.queue_email(referral.organisation.email, letter.subject, letter.text())
    # The letter's contents may hold identity fields: their read is audited like any other.
    audit.record("services.referral.send", referral, actor=actor, details={
        "groups": referral.field_groups, "by_email": bool(referral.organisation.email)})
    return referral


def update_referral(actor: User, referral: Referral, *, status: str, reason: str = "", feedback: str = "") -> Referral:
    """Record the organisation's answer or progress: accepted, declined (with the reason), in
    progress, completed, and the feedback received."""
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, 2000)
    feedback = _text(errors, "feedback", feedback, 5000)
    allowed = NEXT_STATUSES.get(referral.status, frozenset())
    if status not in allowed:
        errors["status"] = (f"A {referral.status.replace('_', ' ')} referral cannot become "
                            f"{str(status).replace('_', ' ')}." if allowed else
                            f"A {referral.status.replace('_', ' ')} referral does not change any more.")
    elif status == ReferralStatus.DECLINED and not reason:
        errors["reason"] = "Record why the organisation declined."
    if errors:
        raise ValidationFailed(errors)
    before = referral.status
    referral.status = status
    if status == ReferralStatus.DECLINED:
        referral.decline_reason = reason
    if feedback:
        referral.feedback = f"{referral.feedback}\n{feedback}".strip() if referral.feedback else feedback
    if referral.answered_at is None:
        referral.answered_at = utc_now()
    db.session.flush()
    audit.record("services.referral.status", referral, actor=actor, details={"from": before, "to": status})
    return referral


# ---- the service plan ----------------------------------------------------------------------------


def save_need(
    actor: User, witness: Witness, *, service: str, status: str, goal: str = "",
    organisation: Organisation | None = None, review_on: date | None = None,
) -> ServiceNeed:
    """Set where one Table 1 service stands for the witness (one row per service)."""
    errors: dict[str, str] = {}
    if service not in SERVICES:
        errors["service"] = "Choose a service from the list."
    if status not in set(NeedStatus):
        errors["status"] = "Choose where the need stands."
    goal = _text(errors, "goal", goal, 2000)
    if review_on is not None and review_on < today_utc() and status in OPEN_NEED_STATUSES:
        errors["review_on"] = "A review date of an open need cannot be in the past."
    if errors:
        raise ValidationFailed(errors)
    need = db.session.execute(sa.select(ServiceNeed).where(
        ServiceNeed.witness_id == witness.id, ServiceNeed.service == service)).scalar_one_or_none()
    before = need.status if need else None
    if need is None:
        need = ServiceNeed(witness_id=witness.id, service=service)
        db.session.add(need)
    need.status, need.goal, need.review_on, need.updated_by_id = status, goal, review_on, actor.id
    need.organisation_id = organisation.id if organisation else None
    db.session.flush()
    audit.record("services.need", need, actor=actor, details={"service": service, "from": before, "to": status})
    return need


def record_review(actor: User, journey: Journey, *, continues_after: str) -> SustainabilityReview:
    """The sustainable-protection review before a journey closes: what continues after the case."""
    errors: dict[str, str] = {}
    continues_after = _text(errors, "continues_after", continues_after, 5000,
                            required="Say what continues for the witness after the case, or why nothing does.")
    if errors:
        raise ValidationFailed(errors)
    review = SustainabilityReview(witness_id=journey.witness_id, journey_id=journey.id,
                                  continues_after=continues_after, reviewed_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    audit.record("services.review", review, actor=actor, details={"journey_id": journey.id})
    return review


def check_close(journey: Journey) -> None:
    """A journey closes only after its sustainable-protection review: what continues for the
    witness after the case, or why nothing does (the cases `journey_closing` receiver)."""
    if queries.journey_review(journey.id) is not None:
        return
    open_needs = db.session.execute(sa.select(sa.func.count()).select_from(ServiceNeed).where(
        ServiceNeed.witness_id == journey.witness_id,
        ServiceNeed.status.in_(sorted(OPEN_NEED_STATUSES)))).scalar()
    plan = f" ({open_needs} open needs in the service plan)" if open_needs else ""
    raise OperationError(
        f"The sustainable-protection review of {journey.witness.reference}'s journey in {journey.case.reference} "
        f"is missing{plan}: record what continues after the case before closing.",
        {"sustainability_review": "Record the sustainable-protection review first."},
    )

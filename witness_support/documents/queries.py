"""Reads: what a document can be attached to, who sees which document, and the lists of them.

Who sees a document:
- attached to a witness, one of the witness's aids or impact statements: whoever sees the
  witness and the document's field group of that witness (access.visible_groups);
- attached to a case or one of its outcomes: whoever works on the case (an open case assignment)
  and sees the document's field group of every witness of the case (access.case_groups): a case's
  papers may name any of its witnesses.
Anyone else finds it neither listed nor downloadable: a 404, as for a document that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..access import can_view_case, case_groups, visible_groups
from ..cases.models import Case, Defendant
from ..extensions import db
from ..outcomes.models import ImpactStatement, Outcome
from ..permissions import FieldGroup, Permission, Role, has_permission
from ..witnesses.models import Witness
from .filetypes import KINDS
from .models import WITNESS_ATTACHMENTS, AttachedTo, Document

if TYPE_CHECKING:
    from ..auth.models import User

# Testimonial aids are read by their table, so that documents do not depend on the package holding
# their model: only what a document needs to name one and find its witness and case.
_aids = sa.table("testimonial_aids", sa.column("id"), sa.column("witness_id"), sa.column("case_id"),
                 sa.column("kind"))
CASE_ATTACHMENTS = frozenset(AttachedTo) - WITNESS_ATTACHMENTS


@dataclass(frozen=True)
class Target:
    """Something a document can be attached to, with the witness or case that decides who sees it."""

    attached_to: AttachedTo
    witness_id: int | None
    case_id: int | None
    object_id: int | None  # the aid's, outcome's or impact statement's id
    label: str

    @property
    def key(self) -> str:
        """How a form names it: "witness", "case", "aid:12", "outcome:3", "impact_statement:5"."""
        return self.attached_to if self.object_id is None else f"{self.attached_to}:{self.object_id}"


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


def witness_targets(witness: Witness) -> list[Target]:
    """The witness, each of their testimonial aids and each of their impact statements."""
    targets = [Target(AttachedTo.WITNESS, witness.id, None, None, f"The witness {witness.reference}")]
    aids = db.session.execute(
        sa.select(_aids.c.id, _aids.c.kind, _aids.c.case_id, Case.reference)
        .join(Case, Case.id == _aids.c.case_id).where(_aids.c.witness_id == witness.id).order_by(_aids.c.id)
    ).all()
    targets += [Target(AttachedTo.AID, witness.id, case_id, aid_id, f"Aid: {_words(kind)} (case {reference})")
                for aid_id, kind, case_id, reference in aids]
    statements = db.session.execute(
        sa.select(ImpactStatement.id, ImpactStatement.case_id, Case.reference)
        .join(Case, Case.id == ImpactStatement.case_id).where(ImpactStatement.witness_id == witness.id)
        .order_by(ImpactStatement.id)
    ).all()
    targets += [Target(AttachedTo.IMPACT_STATEMENT, witness.id, case_id, statement_id,
                       f"Impact statement (case {reference})") for statement_id, case_id, reference in statements]
    return targets


def case_targets(case: Case) -> list[Target]:
    """The case and each of its outcomes."""
    targets = [Target(AttachedTo.CASE, None, case.id, None, f"The case {case.reference}")]
    outcomes = db.session.execute(
        sa.select(Outcome.id, Defendant.name).join(Defendant, Defendant.id == Outcome.defendant_id)
        .where(Outcome.case_id == case.id).order_by(Outcome.id)
    ).all()
    targets += [Target(AttachedTo.OUTCOME, None, case.id, outcome_id, f"Outcome for {name}")
                for outcome_id, name in outcomes]
    return targets


def find_target(targets: list[Target], key: str | None) -> Target | None:
    return next((t for t in targets if t.key == key), None)


def target_groups(user: User, target: Target) -> frozenset[FieldGroup]:
    """The field groups `user` sees of what the target belongs to (none: they may not see it)."""
    return _groups(user, target.attached_to, target.witness_id, target.case_id)


def _groups(user: User, attached_to: str, witness_id: int | None, case_id: int | None) -> frozenset[FieldGroup]:
    if attached_to in WITNESS_ATTACHMENTS:
        witness = db.session.get(Witness, witness_id)
        return visible_groups(user, witness) if witness is not None else frozenset()
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(user, case):
        return frozenset()
    return case_groups(user, case.id)


def can_see_document(user: User, document: Document) -> bool:
    if not has_permission(user, Permission.DOCUMENT_VIEW):
        return False
    groups = _groups(user, document.attached_to, document.witness_id, document.case_id)
    return document.field_group in groups


def load_document(user: User, document_id: int) -> Document | None:
    """The document if it exists and `user` may see it, else None (the caller answers 404). A
    removed document is still found (its tombstone); `load_content` is for a download."""
    document = db.session.get(Document, document_id)
    return document if document is not None and can_see_document(user, document) else None


def load_content(user: User, document_id: int) -> Document | None:
    """The document to download: as `load_document`, and not removed (its content is gone)."""
    document = load_document(user, document_id)
    return document if document is not None and not document.removed else None


def _page(query: sa.Select, after: int | None, limit: int | None) -> list[Document]:
    query = query.order_by(Document.id.desc())
    if after is not None:
        query = query.where(Document.id < after)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def witness_documents(user: User, witness: Witness, *, after: int | None = None,
                      limit: int | None = None) -> list[Document]:
    """The witness's documents (their own, their aids', their statements') that `user` may see,
    newest first; `after` is the id of the last document of the previous page."""
    if not has_permission(user, Permission.DOCUMENT_VIEW):
        return []
    groups = visible_groups(user, witness)
    return _page(sa.select(Document).where(
        Document.witness_id == witness.id, Document.attached_to.in_(WITNESS_ATTACHMENTS),
        Document.field_group.in_(sorted(groups)),
    ), after, limit)


def case_documents(user: User, case: Case, *, after: int | None = None, limit: int | None = None) -> list[Document]:
    """The case's own documents and its outcomes' that `user` may see, newest first."""
    if not (has_permission(user, Permission.DOCUMENT_VIEW) and can_view_case(user, case)):
        return []
    groups = case_groups(user, case.id)
    return _page(sa.select(Document).where(
        Document.case_id == case.id, Document.attached_to.in_(CASE_ATTACHMENTS),
        Document.field_group.in_(sorted(groups)),
    ), after, limit)


def labels(targets: list[Target]) -> dict[str, str]:
    """What each document is attached to, in words, by the document's target key."""
    return {t.key: t.label for t in targets}


def document_key(document: Document) -> str:
    object_id = {AttachedTo.AID: document.aid_id, AttachedTo.OUTCOME: document.outcome_id,
                 AttachedTo.IMPACT_STATEMENT: document.impact_statement_id}.get(AttachedTo(document.attached_to))
    return document.attached_to if object_id is None else f"{document.attached_to}:{object_id}"


@dataclass(frozen=True)
class Row:
    """One document as a list shows it."""

    id: int
    name: str
    attached: str
    kind: str
    size: int
    field_group: str
    uploaded_by: str
    uploaded_at: Any
    removed_at: Any = None
    removed_by: str = ""
    removal_reason: str = ""
    may_remove: bool = False


def may_remove(user: User, document: Document) -> bool:
    """Who may withdraw a document they see: a liaison officer (the witness's and the case's
    people keep the files in order), or whoever uploaded it (a file put in the wrong place); both
    with the upload permission."""
    return (has_permission(user, Permission.DOCUMENT_UPLOAD)
            and (user.role == Role.LIAISON_OFFICER or document.uploaded_by_id == user.id))


def _rows(user: User, documents: list[Document], targets: list[Target]) -> list[Row]:
    words = labels(targets)
    return [Row(d.id, d.name, words.get(document_key(d), _words(d.attached_to)), KINDS[d.kind].label, d.size,
                d.field_group, d.uploaded_by.display_name if d.uploaded_by else "—", d.uploaded_at,
                d.removed_at, (d.removed_by.display_name if d.removed_by else "—") if d.removed else "",
                d.removal_reason or "", not d.removed and may_remove(user, d))
            for d in documents]


def witness_rows(user: User, witness: Witness) -> list[Row]:
    documents = witness_documents(user, witness)
    return _rows(user, documents, witness_targets(witness)) if documents else []


def case_rows(user: User, case: Case) -> list[Row]:
    documents = case_documents(user, case)
    return _rows(user, documents, case_targets(case)) if documents else []

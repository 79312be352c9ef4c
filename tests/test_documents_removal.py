"""Removing a document: a liaison officer or the uploader withdraws it with a reason; its content is
deleted so it can never be downloaded again; its row stays as a tombstone (who, when, why) for those
who see it; audited; on the pages and through DELETE /api/v1/documents/{id}."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import tiny_pdf
from tests.openapi_util import assert_matches_openapi
from witness_support.audit import AuditEvent
from witness_support.documents import operations as ops
from witness_support.documents import queries
from witness_support.documents.models import Document, DocumentChunk
from witness_support.errors import Conflict, NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.witnesses import operations as witness_ops

CANARY_REASON = "Canaryremovalwren: filed under the wrong witness"


def _upload(user, witness, name: str = "letter.pdf", group: str | None = None) -> Document:  # noqa: ANN001
    document = ops.upload_document(user, queries.witness_targets(witness)[0], data=tiny_pdf("Invented letter"),
                                   name=name, field_group=group)
    db.session.commit()
    return document


def _chunks(document_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)
                             .where(DocumentChunk.document_id == document_id))


def test_an_officer_removes_a_document_on_the_page_and_its_tombstone_stays(client, auth, officer, make_witness):
    witness = make_witness()
    document = _upload(officer, witness, "wrong-person.pdf")
    assert _chunks(document.id) == 1
    auth.login(officer)
    listing = client.get(f"/witnesses/{witness.id}/documents").get_data(as_text=True)
    assert f"/documents/{document.id}/remove" in listing
    form = client.get(f"/documents/{document.id}/remove")
    assert form.status_code == 200 and "cannot be downloaded again" in form.get_data(as_text=True)
    # No reason: refused by the field, nothing removed.
    refused = client.post(f"/documents/{document.id}/remove", data={"reason": "  "})
    assert refused.status_code == 422 and "Say why the document is removed." in refused.get_data(as_text=True)
    assert _chunks(document.id) == 1
    done = client.post(f"/documents/{document.id}/remove", data={"reason": CANARY_REASON})
    assert done.status_code == 303
    assert _chunks(document.id) == 0
    db.session.expire_all()
    kept = db.session.get(Document, document.id)
    assert kept.removed_by_id == officer.id and kept.removed_at is not None and kept.removal_reason == CANARY_REASON
    listing = client.get(f"/witnesses/{witness.id}/documents").get_data(as_text=True)
    assert "<del>wrong-person.pdf</del>" in listing and CANARY_REASON in listing and "Olive Officer" in listing
    assert f"/documents/{document.id}/download" not in listing
    assert f"/documents/{document.id}/remove" not in listing
    assert client.get(f"/documents/{document.id}/download").status_code == 404
    assert client.get(f"/documents/{document.id}/remove").status_code == 404  # removed already
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "document.remove")).scalar_one()
    assert event.actor_id == officer.id and event.object_id == document.id


def test_the_reason_is_stored_encrypted(officer, make_witness):
    document = _upload(officer, make_witness())
    ops.remove_document(officer, document, reason=CANARY_REASON)
    db.session.commit()
    raw = db.session.execute(sa.text("SELECT removal_reason FROM documents WHERE id = :id"),
                             {"id": document.id}).scalar()
    assert raw and "Canaryremovalwren" not in raw


def test_who_may_remove_the_uploader_or_an_officer_not_another_role(app, officer, make_user, make_witness):
    witness = make_witness()
    document = _upload(officer, witness, group="court_logistics")
    prosecutor = make_user("prosecutor")
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, witness, interpreter, "interpreter")
    db.session.commit()
    # A person who does not see it: as if it did not exist.
    with pytest.raises(NotFound):
        ops.remove_document(prosecutor, document, reason="Not mine")
    # One who sees it but is neither an officer nor its uploader: refused, nothing changes.
    assert queries.can_see_document(interpreter, document)
    with pytest.raises(ValidationFailed):
        ops.remove_document(interpreter, document, reason="Tidy up")
    db.session.rollback()
    assert _chunks(document.id) == 1
    ops.remove_document(officer, document, reason="Duplicate")
    db.session.commit()
    with pytest.raises(Conflict):
        ops.remove_document(officer, db.session.get(Document, document.id), reason="Again")


def test_api_delete_with_a_reason_then_the_content_is_gone(client, officer, api_token, make_witness):
    witness = make_witness()
    document = _upload(officer, witness)
    headers = api_token(officer)
    url = f"/api/v1/documents/{document.id}"
    missing = client.delete(url, json={}, headers=headers)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    assert_matches_openapi(client, "DELETE", url, missing)
    assert _chunks(document.id) == 1
    removed = client.delete(url, json={"reason": CANARY_REASON}, headers=headers)
    assert removed.status_code == 200
    assert_matches_openapi(client, "DELETE", url, removed)
    answer = removed.get_json()
    assert answer["removed_by_id"] == officer.id and answer["removal_reason"] == CANARY_REASON
    assert answer["removed_at"]
    described = client.get(url, headers=headers)
    assert described.status_code == 200 and described.get_json()["removal_reason"] == CANARY_REASON
    assert client.get(f"{url}/content", headers=headers).status_code == 404
    again = client.delete(url, json={"reason": "Again"}, headers=headers)
    assert again.status_code == 409
    assert_matches_openapi(client, "DELETE", url, again)
    listed = client.get(f"/api/v1/witnesses/{witness.id}/documents", headers=headers).get_json()
    assert [d["removal_reason"] for d in listed["items"]] == [CANARY_REASON]


def test_api_delete_of_a_document_one_does_not_see_is_404(client, officer, make_user, api_token, make_witness):
    document = _upload(officer, make_witness())
    stranger = make_user("liaison_officer")
    response = client.delete(f"/api/v1/documents/{document.id}", json={"reason": "x"}, headers=api_token(stranger))
    assert response.status_code == 404
    assert _chunks(document.id) == 1


def test_a_prosecutor_removes_their_own_case_paper_not_a_colleagues(
    client, auth, officer, make_user, make_case, make_journey
):
    from witness_support.cases import operations as case_ops

    case = make_case()
    make_journey(case=case)
    uploader, colleague = make_user("prosecutor"), make_user("prosecutor")
    for person in (uploader, colleague):
        case_ops.assign_to_case(officer, case, person)
    db.session.commit()
    paper = ops.upload_document(uploader, queries.case_targets(case)[0], data=tiny_pdf("Invented order"),
                                name="court-order.pdf")
    db.session.commit()
    auth.login(colleague)
    listing = client.get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert "court-order.pdf" in listing and f"/documents/{paper.id}/remove" not in listing
    assert client.post(f"/documents/{paper.id}/remove", data={"reason": "Not needed"}).status_code == 404
    assert _chunks(paper.id) == 1
    auth.logout()
    auth.login(uploader)
    assert f"/documents/{paper.id}/remove" in client.get(f"/cases/{case.id}/documents").get_data(as_text=True)
    done = client.post(f"/documents/{paper.id}/remove", data={"reason": "Superseded by the amended order"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/cases/{case.id}/documents#document-{paper.id}")
    auth.logout()
    auth.login(colleague)  # the tombstone is there for everyone who sees the paper
    listing = client.get(f"/cases/{case.id}/documents").get_data(as_text=True)
    assert "<del>court-order.pdf</del>" in listing and "Superseded by the amended order" in listing
    assert client.get(f"/documents/{paper.id}/download").status_code == 404

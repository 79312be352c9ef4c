"""Documents: each accepted kind by its content, refusals that store nothing, encryption at rest in
chunks, need-to-know by field group, audited downloads, the pages and the API."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import tiny_jpeg, tiny_office, tiny_pdf, tiny_png, tiny_webp
from tests.openapi_util import assert_matches_openapi
from witness_support import crypto
from witness_support.aids import operations as aid_ops
from witness_support.audit import AuditEvent
from witness_support.cases import operations as case_ops
from witness_support.documents import operations as ops
from witness_support.documents import queries
from witness_support.documents.filetypes import KINDS
from witness_support.documents.models import Document, DocumentChunk
from witness_support.errors import NotFound, ValidationFailed
from witness_support.extensions import db
from witness_support.outcomes import operations as outcome_ops
from witness_support.witnesses import operations as witness_ops

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert('stolen')</script></body></html>"
LEGACY_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
CANARY_TEXT = "Canarydocfinch stays secret"


def witness_target(witness):  # noqa: ANN001, ANN201
    return queries.witness_targets(witness)[0]


def upload(user, target, data: bytes, name: str = "paper.pdf", group: str | None = None) -> Document:  # noqa: ANN001
    document = ops.upload_document(user, target, data=data, name=name, field_group=group)
    db.session.commit()
    return document


def stored() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Document)),
            db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)))


def big_body(fields: dict[str, str], name: str, data: bytes) -> dict[str, object]:
    """A multipart request built in memory: the test client spools a large multipart body to a
    temporary file it never closes, which the suite's warnings-as-errors would report."""
    boundary, body = encode_multipart({**fields, "file": FileStorage(io.BytesIO(data), filename=name)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def content_of(document: Document) -> bytes:
    return b"".join(ops.content(document.id, document.chunk_count))


@pytest.fixture
def witness(make_witness):  # noqa: ANN001, ANN201
    return make_witness()


# ---- what is accepted, and what is refused ---------------------------------------------------------


@pytest.mark.parametrize(("build", "kind"), [
    (tiny_pdf, "pdf"), (tiny_png, "png"), (tiny_jpeg, "jpeg"), (tiny_webp, "webp"),
    *((lambda k=k: tiny_office(k), k) for k in ("docx", "xlsx", "pptx", "odt", "ods", "odp")),
])
def test_each_accepted_kind_is_stored_by_its_content_whatever_its_name(app, officer, witness, build, kind):
    data = build()
    document = upload(officer, witness_target(witness), data, name="scan-from-the-phone.bin")
    assert document.kind == kind and document.content_type == KINDS[kind].content_type
    # The name keeps what was typed and gains the extension of what the content really is.
    assert document.name == "scan-from-the-phone.bin" + KINDS[kind].extension
    assert document.size == len(data) and content_of(document) == data


@pytest.mark.parametrize(("data", "words"), [
    (EXECUTABLE, "its content is a program"),
    (HTML, "its content is a web page"),
    (LEGACY_DOC, "Old Microsoft Office"),
    (b"", "empty"),
    (b"%PDF-1.7\n<html><script>alert(1)</script>", "not a whole one"),
    (tiny_office("docx", macros=True), "macros"),
])
def test_content_that_is_no_accepted_kind_is_refused_and_nothing_is_stored(app, officer, witness, data, words):
    with pytest.raises(ValidationFailed) as refused:
        ops.upload_document(officer, witness_target(witness), data=data, name="aid-application.pdf")
    db.session.rollback()
    assert words in refused.value.field_errors["file"]
    assert stored() == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "document.upload")) == 0


def test_a_plain_zip_is_refused(app, officer, witness):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inside.exe", EXECUTABLE)
    with pytest.raises(ValidationFailed) as refused:
        ops.upload_document(officer, witness_target(witness), data=buffer.getvalue(), name="papers.docx")
    assert "zip archive" in refused.value.field_errors["file"]


def test_a_file_over_the_limit_is_refused_with_the_limit_named(app, officer, witness):
    app.config["DOCUMENT_MAX_BYTES"] = 2048
    with pytest.raises(ValidationFailed) as refused:
        ops.upload_document(officer, witness_target(witness), data=tiny_pdf("x" * 3000), name="big.pdf")
    db.session.rollback()
    assert "the limit is 2 KB" in refused.value.field_errors["file"]
    assert stored() == (0, 0)


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\officer\\order.exe", "order.exe.pdf"),
    ("court\x00order\r\n.pdf", "courtorder.pdf"),
    ("", "document.pdf"),
    ("Ordonnance du tribunal — Zoë.PDF", "Ordonnance du tribunal — Zoë.PDF"),
])
def test_the_name_is_display_text_only(raw, shown):
    assert ops.display_name(raw, KINDS["pdf"]) == shown


# ---- encryption at rest, in chunks -----------------------------------------------------------------


def test_content_and_name_are_encrypted_at_rest_and_come_back_whole(app, officer, witness):
    data = tiny_pdf(CANARY_TEXT + " " + "padding " * 80_000)  # several chunks
    document = upload(officer, witness_target(witness), data, name="Canarydocfinch statement.pdf")
    assert document.chunk_count == -(-len(data) // ops.CHUNK_BYTES) > 1
    raw_name = db.session.execute(sa.text("SELECT name FROM documents WHERE id = :id"), {"id": document.id}).scalar()
    assert "Canarydocfinch" not in raw_name
    chunks = db.session.execute(sa.text("SELECT data FROM document_chunks WHERE document_id = :id"),
                                {"id": document.id}).scalars().all()
    assert len(chunks) == document.chunk_count
    assert not any(b"Canarydocfinch" in bytes(chunk) or b"padding" in bytes(chunk) for chunk in chunks)
    assert content_of(document) == data


def test_a_chunk_moved_from_another_document_is_refused_not_served(app, officer, witness):
    first = upload(officer, witness_target(witness), tiny_pdf("first"))
    second = upload(officer, witness_target(witness), tiny_pdf("second"))
    other = db.session.execute(sa.select(DocumentChunk.data).where(DocumentChunk.document_id == second.id)).scalar()
    db.session.execute(sa.update(DocumentChunk).where(DocumentChunk.document_id == first.id).values(data=other))
    with pytest.raises(ops.DocumentDamaged):
        content_of(first)


def test_key_rotation_rewrites_documents_under_the_new_key(app, officer, witness):
    document = upload(officer, witness_target(witness), tiny_pdf(), name="order.pdf")
    old = crypto.keyring(app)
    new_key = crypto.Fernet.generate_key().decode()
    app.config["IDENTITY_KEYS"] = ",".join([new_key, *(k.decode() for k in old.keys)])
    crypto.forget_keyring(app)
    try:
        ring = crypto.keyring(app)
        connection = db.session.connection()
        assert not crypto.all_current(connection, ring)
        assert crypto.reencrypt_all(connection, ring) >= 2  # at least the document's name and its chunk
        assert crypto.all_current(connection, ring)
        raw = db.session.execute(sa.select(DocumentChunk.data).where(DocumentChunk.document_id == document.id)).scalar()
        with pytest.raises(crypto.InvalidToken):
            old.decrypt_bytes(bytes(raw))
        db.session.expire_all()
        assert content_of(document) == tiny_pdf() and document.name == "order.pdf"
    finally:
        db.session.rollback()
        crypto.forget_keyring(app)


# ---- need to know ----------------------------------------------------------------------------------


@pytest.fixture
def aid_world(officer, make_user, trial_case):  # noqa: ANN001, ANN201
    setup = trial_case()
    aid = aid_ops.propose_aid(officer, setup.witness, setup.case, "screen")
    interpreter = make_user("support_person")
    witness_ops.assign_support(officer, setup.witness, interpreter, "interpreter")
    db.session.commit()
    targets = queries.witness_targets(setup.witness)
    aid_target = queries.find_target(targets, f"aid:{aid.id}")
    application = upload(officer, aid_target, tiny_pdf("Application for a screen"), name="screen-application.pdf")
    medical = upload(officer, targets[0], tiny_pdf(CANARY_TEXT), name="Canarydocfinch medical.pdf")
    return setup, aid, interpreter, application, medical


def test_defaults_put_an_aid_application_in_court_logistics_and_a_witness_paper_in_needs(app, aid_world):
    _setup, aid, _interpreter, application, medical = aid_world
    assert (application.attached_to, application.aid_id, application.field_group) == ("aid", aid.id, "court_logistics")
    assert (medical.attached_to, medical.field_group) == ("witness", "needs")


def test_a_person_without_the_group_neither_lists_nor_downloads(app, client, auth, aid_world):
    setup, _aid, interpreter, application, medical = aid_world
    assert [d.id for d in queries.witness_documents(interpreter, setup.witness)] == [application.id]
    auth.login(interpreter)
    page = client.get(f"/witnesses/{setup.witness.id}/documents").get_data(as_text=True)
    assert "screen-application.pdf" in page and "Canarydocfinch" not in page
    assert client.get(f"/documents/{medical.id}/download").status_code == 404
    assert client.get(f"/documents/{application.id}/download").status_code == 200
    # The witness page's section shows the same, and the interpreter may not upload.
    shown = client.get(f"/witnesses/{setup.witness.id}").get_data(as_text=True)
    assert "screen-application.pdf" in shown and "Canarydocfinch" not in shown and "Upload a document" not in page


def test_nobody_files_a_document_under_a_group_they_do_not_see(app, prosecutor, aid_world):
    setup, *_ = aid_world
    case_ops.assign_to_case(prosecutor, setup.case, prosecutor)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        ops.upload_document(prosecutor, witness_target(setup.witness), data=tiny_pdf(), name="x.pdf",
                            field_group="location")
    assert "location" in refused.value.field_errors["field_group"]
    with pytest.raises(NotFound):  # a witness they cannot see at all
        ops.upload_document(prosecutor, witness_target(setup.witness), data=tiny_pdf(), name="x.pdf",
                            field_group="bogus") if False else ops.upload_document(
            prosecutor, queries.Target("witness", 10**6, None, None, "?"), data=tiny_pdf(), name="x.pdf")


def test_case_documents_are_for_the_people_on_the_case(app, client, auth, officer, prosecutor, make_user, trial_case):
    setup = trial_case()
    outcome = outcome_ops.record_outcome(officer, setup.defendant, verdict="convicted")
    case_ops.assign_to_case(officer, setup.case, prosecutor)
    db.session.commit()
    targets = queries.case_targets(setup.case)
    order = upload(prosecutor, targets[0], tiny_pdf("Court order"), name="court-order.pdf")
    judgment = upload(prosecutor, queries.find_target(targets, f"outcome:{outcome.id}"), tiny_pdf("Judgment"),
                      name="judgment.pdf")
    assert (order.attached_to, order.field_group, judgment.outcome_id) == ("case", "court_logistics", outcome.id)
    auth.login(prosecutor)
    page = client.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "court-order.pdf" in page and "judgment.pdf" in page
    assert "judgment.pdf" in client.get(f"/outcomes/case/{setup.case.id}").get_data(as_text=True)
    # An officer who supports the witness but does not work on the case sees none of it.
    other = make_user("liaison_officer")
    witness_ops.assign_support(officer, setup.witness, other, "liaison_officer")
    db.session.commit()
    auth.logout()
    auth.login(other)
    assert client.get(f"/cases/{setup.case.id}/documents").status_code == 404
    assert client.get(f"/documents/{order.id}/download").status_code == 404


# ---- the pages -------------------------------------------------------------------------------------


def test_upload_on_the_page_then_download_audited_with_safe_headers(app, client, auth, officer, witness):
    auth.login(officer)
    page = client.get(f"/witnesses/{witness.id}/documents")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    data = tiny_pdf(CANARY_TEXT)
    response = client.post(f"/witnesses/{witness.id}/documents", data={
        "attached": "witness", "field_group": "", "file": (io.BytesIO(data), "Zoë's aid application.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    document = db.session.execute(sa.select(Document)).scalar_one()
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zoë&#39;s aid application.pdf" in listing and f"/documents/{document.id}/download" in listing
    download = client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.data == data
    headers = download.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%AB" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
    assert headers["Content-Length"] == str(len(data))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "document.download")).scalar_one()
    assert (event.actor_id, event.object_id, event.witness_id) == (officer.id, document.id, witness.id)
    assert event.details["via"] == "web" and CANARY_TEXT not in str(event.details)


def test_a_refused_upload_says_why_next_to_the_file_and_stores_nothing(app, client, auth, officer, witness):
    auth.login(officer)
    response = client.post(f"/witnesses/{witness.id}/documents", data={
        "attached": "witness", "file": (io.BytesIO(HTML), "aid-application.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "not a PDF" in page
    assert stored() == (0, 0)


def test_a_body_far_over_the_limit_gets_a_page_that_names_the_limit(app, client, auth, officer, witness):
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    auth.login(officer)
    huge = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 200 * 1024)
    response = client.post(f"/witnesses/{witness.id}/documents", **big_body({"attached": "witness"}, "scan.pdf", huge))
    assert response.status_code == 413
    assert "larger than the limit of 1 MB" in response.get_data(as_text=True)
    assert stored() == (0, 0)


def test_a_file_between_the_global_limit_and_the_document_limit_is_accepted(app, client, auth, officer, witness):
    """Uploads alone accept more than MAX_CONTENT_LENGTH (1 MB); other forms keep it."""
    auth.login(officer)
    data = tiny_pdf("x" * (2 * 1024 * 1024))
    response = client.post(f"/witnesses/{witness.id}/documents", **big_body({"attached": "witness"}, "scan.pdf", data))
    assert response.status_code == 303
    assert db.session.execute(sa.select(Document.size)).scalar_one() == len(data)
    big_form = client.post(f"/witnesses/{witness.id}/risk", data={"threats": "x" * (2 * 1024 * 1024)})
    assert big_form.status_code == 413


def test_the_aid_page_links_each_aid_to_its_documents(app, client, auth, officer, aid_world):
    setup, aid, *_ = aid_world
    auth.login(officer)
    page = client.get(f"/witnesses/{setup.witness.id}/aids").get_data(as_text=True)
    assert "screen-application.pdf" in page
    form = client.get(f"/witnesses/{setup.witness.id}/documents?attach=aid:{aid.id}").get_data(as_text=True)
    assert f'<option selected value="aid:{aid.id}">' in form


# ---- the API ---------------------------------------------------------------------------------------


def test_api_upload_list_and_download_round_trip(app, client, officer, api_token, aid_world):
    setup, aid, interpreter, application, medical = aid_world
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{setup.witness.id}/documents"
    data = tiny_office("docx", CANARY_TEXT)
    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "order.docx"), "aid_id": str(aid.id), "field_group": "court_logistics",
    })
    assert response.status_code == 201, response.get_json()
    assert_matches_openapi(client, "POST", url, response)
    created = response.get_json()
    assert (created["attached_to"], created["aid_id"], created["kind"]) == ("aid", aid.id, "docx")
    first = client.get(url + "?limit=2", headers=headers)
    assert_matches_openapi(client, "GET", url, first)
    page = first.get_json()
    assert [d["id"] for d in page["items"]] == [created["id"], medical.id] and page["next_after"] == medical.id
    rest = client.get(f"{url}?limit=2&after={page['next_after']}", headers=headers).get_json()
    assert [d["id"] for d in rest["items"]] == [application.id] and rest["next_after"] is None
    described = client.get(f"/api/v1/documents/{created['id']}", headers=headers)
    assert_matches_openapi(client, "GET", f"/api/v1/documents/{created['id']}", described)
    content = client.get(f"/api/v1/documents/{created['id']}/content", headers=headers)
    assert content.status_code == 200 and content.data == data
    assert content.headers["Content-Type"] == KINDS["docx"].content_type
    assert_matches_openapi(client, "GET", f"/api/v1/documents/{created['id']}/content", content)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "document.download")).scalar_one()
    assert event.details["via"] == "api" and event.object_id == created["id"]
    # The interpreter sees the aid's papers, not the witness's needs: not listed, and 404.
    theirs = api_token(interpreter)
    listed = client.get(url, headers=theirs).get_json()
    assert medical.id not in [d["id"] for d in listed["items"]]
    assert client.get(f"/api/v1/documents/{medical.id}/content", headers=theirs).status_code == 404
    assert client.get(f"/api/v1/documents/{medical.id}", headers=theirs).status_code == 404
    assert client.post(url, headers=theirs, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "x.docx")}).status_code == 404


def test_api_refusals_name_the_field_and_store_nothing(app, client, officer, api_token, witness, make_case):
    headers = api_token(officer)
    url = f"/api/v1/witnesses/{witness.id}/documents"
    missing = client.post(url, headers=headers, content_type="multipart/form-data", data={"field_group": "needs"})
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"]["file"] == "This field is required."
    disguised = client.post(url, headers=headers, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(EXECUTABLE), "invoice.pdf")})
    assert disguised.status_code == 422 and "a program" in disguised.get_json()["error"]["fields"]["file"]
    assert_matches_openapi(client, "POST", url, disguised)
    elsewhere = client.post(url, headers=headers, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(tiny_pdf()), "a.pdf"), "aid_id": "999999"})
    assert elsewhere.status_code == 422 and "aid_id" in elsewhere.get_json()["error"]["fields"]
    bad_id = client.post(url, headers=headers, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(tiny_pdf()), "a.pdf"), "aid_id": "1e9"})
    assert bad_id.status_code == 422
    assert client.get(url + "?limit=0", headers=headers).status_code == 422
    assert stored() == (0, 0)
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    huge = client.post(url, headers=headers, **big_body({}, "a.pdf", b"%PDF-" + b"0" * (1200 * 1024)))
    assert huge.status_code == 413 and "limit of 1 MB" in huge.get_json()["error"]["message"]
    assert_matches_openapi(client, "POST", url, huge)
    case = make_case()
    case_url = f"/api/v1/cases/{case.id}/documents"
    created = client.post(case_url, headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(tiny_png()), "photo.png")})
    assert created.status_code == 201 and created.get_json()["attached_to"] == "case"
    listed = client.get(case_url, headers=headers)
    assert_matches_openapi(client, "GET", case_url, listed)
    assert [d["name"] for d in listed.get_json()["items"]] == ["photo.png"]

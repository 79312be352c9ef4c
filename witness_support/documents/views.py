"""Document pages: a witness's documents and a case's, each with its upload form, and downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ..access import can_view_case, can_view_witness, case_groups, visible_groups
from ..cases.models import Case
from ..extensions import db
from ..forms import attempt, submitted_once
from ..permissions import Permission, has_permission
from ..web import get_or_404, mark_sensitive, permission_required
from ..witnesses.models import Witness
from . import operations, queries
from .forms import RemoveForm, UploadForm
from .models import Document
from .responses import file_response

bp = Blueprint("documents", __name__)

UPLOADS = frozenset({"documents.upload_for_witness", "documents.upload_for_case"})
# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def allow_upload_size(endpoint: str | None, uploads: frozenset[str]) -> None:
    """An upload route accepts a body as large as DOCUMENT_MAX_BYTES (every other route keeps
    MAX_CONTENT_LENGTH); a larger body is refused with words that name the limit. Run as a URL
    value preprocessor, which comes before every before-request step (the CSRF check reads the form)."""
    if endpoint not in uploads:
        return
    limit = int(current_app.config["DOCUMENT_MAX_BYTES"])
    request.max_content_length = limit + FORM_OVERHEAD_BYTES
    g.too_large_message = (f"The file is larger than the limit of {operations.size_words(limit)}: "
                           "nothing was stored. Upload a smaller file (a scan at a lower resolution, say).")


@bp.url_value_preprocessor
def _upload_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    allow_upload_size(endpoint, UPLOADS)


def _page(template: str, status: int, form: UploadForm, error: str | None, **context: Any) -> tuple[str, int]:
    return render_template(
        template, form=form, error=error, can_upload=has_permission(current_user, Permission.DOCUMENT_UPLOAD),
        max_bytes=int(current_app.config["DOCUMENT_MAX_BYTES"]), **context,
    ), status


def _upload(form: UploadForm, targets: list[queries.Target], done: str) -> tuple[Response | None, str | None]:
    """Run the upload for a submitted form: the redirect on success, else the message for the page."""
    if not form.validate_on_submit():
        return None, None
    target = queries.find_target(targets, form.attached.data)
    if target is None:
        form.attached.errors = ["Choose what the document is attached to."]
        return None, None
    upload = form.file.data
    try:
        data = upload.read(int(current_app.config["DOCUMENT_MAX_BYTES"]) + 1)
    except RequestEntityTooLarge:  # a body without a length that grew past the limit while read
        form.file.errors = [g.too_large_message]
        return None, None
    finally:
        upload.close()  # werkzeug keeps a large upload in an unnamed temporary file: gone now
    result = attempt(lambda: operations.upload_document(
        current_user, target, data=data, name=upload.filename, field_group=form.field_group.data or None), form)
    if not result.ok:
        return None, result.error
    flash(f"Stored {result.value.name}, attached to {target.label.lower()}.", "success")
    return redirect(done, 303), None


# ---- a witness's documents ---------------------------------------------------------------------


def _witness_page(witness: Witness, form: UploadForm, error: str | None = None, status: int = 200) -> tuple[str, int]:
    targets = queries.witness_targets(witness)
    form.offer(targets, visible_groups(current_user, witness), request.args.get("attach"))
    return _page("documents/witness.html", status, form, error, witness=witness,
                 rows=queries.witness_rows(current_user, witness))


@bp.get("/witnesses/<int:witness_id>/documents")
@permission_required(Permission.DOCUMENT_VIEW)
def witness_documents(witness_id: int) -> tuple[str, int]:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    return _witness_page(witness, UploadForm())


@bp.post("/witnesses/<int:witness_id>/documents")
@permission_required(Permission.DOCUMENT_UPLOAD)
@submitted_once
def upload_for_witness(witness_id: int) -> tuple[str, int] | Response:
    witness = get_or_404(Witness, witness_id, can_view_witness)
    mark_sensitive()
    form = UploadForm()
    targets = queries.witness_targets(witness)
    form.offer(targets, visible_groups(current_user, witness))
    done, error = _upload(form, targets, url_for("documents.witness_documents", witness_id=witness.id))
    return done or _witness_page(witness, form, error, 422)


# ---- a case's documents ------------------------------------------------------------------------


def _case_page(case: Case, form: UploadForm, error: str | None = None, status: int = 200) -> tuple[str, int]:
    targets = queries.case_targets(case)
    form.offer(targets, case_groups(current_user, case.id), request.args.get("attach"))
    return _page("documents/case.html", status, form, error, case=case, rows=queries.case_rows(current_user, case))


@bp.get("/cases/<int:case_id>/documents")
@permission_required(Permission.CASE_VIEW)  # a case's documents are for people on the case (and DOCUMENT_VIEW)
def case_documents(case_id: int) -> tuple[str, int]:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    return _case_page(case, UploadForm())


@bp.post("/cases/<int:case_id>/documents")
@permission_required(Permission.DOCUMENT_UPLOAD)
@submitted_once
def upload_for_case(case_id: int) -> tuple[str, int] | Response:
    case = get_or_404(Case, case_id, can_view_case)
    mark_sensitive()
    form = UploadForm()
    targets = queries.case_targets(case)
    form.offer(targets, case_groups(current_user, case.id))
    done, error = _upload(form, targets, url_for("documents.case_documents", case_id=case.id))
    return done or _case_page(case, form, error, 422)


# ---- downloads ---------------------------------------------------------------------------------


@bp.get("/documents/<int:document_id>/download")
@permission_required(Permission.DOCUMENT_VIEW)
def download(document_id: int) -> Response:
    document = queries.load_content(current_user, document_id)  # a removed document's content is gone
    if document is None:
        abort(404)
    chunks = operations.read_document(current_user, document, via="web")
    db.session.commit()  # the download is on the audit trail before its first byte leaves
    return file_response(document, chunks)


# ---- removal -------------------------------------------------------------------------------------


def _list_url(document: Document) -> str:
    if document.is_witness_document:
        return url_for("documents.witness_documents", witness_id=document.witness_id, _anchor=f"document-{document.id}")
    return url_for("documents.case_documents", case_id=document.case_id, _anchor=f"document-{document.id}")


def _removable(document_id: int) -> Document:
    """The document, if the reader sees it, may remove it, and it is not removed yet; else 404."""
    document = queries.load_document(current_user, document_id)
    if document is None or document.removed or not queries.may_remove(current_user, document):
        abort(404)
    return document


@bp.route("/documents/<int:document_id>/remove", methods=["GET", "POST"])
@permission_required(Permission.DOCUMENT_UPLOAD)
def remove(document_id: int) -> tuple[str, int] | Response:
    document = _removable(document_id)
    mark_sensitive()
    form = RemoveForm()
    error = None
    if form.validate_on_submit():
        result = attempt(lambda: operations.remove_document(current_user, document, reason=form.reason.data), form)
        if result.ok:
            flash(f"Removed {document.name}: it can no longer be downloaded.", "success")
            return redirect(_list_url(document), 303)
        error = result.error
    status = 422 if form.is_submitted() else 200
    return render_template("documents/remove.html", document=document, form=form, error=error,
                           back=_list_url(document)), status

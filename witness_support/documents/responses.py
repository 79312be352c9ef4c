"""A document as an HTTP answer, for the pages and the API alike: streamed, and never shown inline.

The bytes go out chunk by chunk as each is decrypted (operations.content); the answer says how
long it is, that it is an attachment of the checked type, and that no cache may keep it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response

from .models import Document


def file_response(document: Document, chunks: Iterator[bytes]) -> Response:
    response = Response(chunks, mimetype=document.content_type, direct_passthrough=True)
    headers = response.headers
    headers["Content-Length"] = str(document.size)
    simple = unicodedata.normalize("NFKD", document.name).encode("ascii", "ignore").decode("ascii")
    simple = "".join(c for c in simple if c.isprintable() and c not in '"\\') or f"document-{document.id}"
    headers.set("Content-Disposition", "attachment", filename=simple,
                **{"filename*": "UTF-8''" + quote(document.name, safe="!#$&+^`|~")})
    # The type is the one the content was checked to be: a browser must not guess another.
    headers["X-Content-Type-Options"] = "nosniff"
    # Witness data: no shared or browser cache keeps it.
    headers["Cache-Control"] = "private, no-store"
    # Opened by mistake in a tab all the same, it runs nothing and reaches nothing.
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response

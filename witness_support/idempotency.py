"""One-time submission keys: a form sent twice, or an API POST retried, creates one record.

Each key is claimed by inserting a row in the same transaction as the record it guards, under a
unique (caller, scope, key) constraint. A second request with the key (a double click, a resent
form, a client retrying after a timeout) waits for the first transaction on that constraint and
then finds the row: it answers what the first answered instead of acting again. A failed attempt
rolls its claim back with everything else, so the key can be used again after a correction.

Forms carry the key in a hidden field (`witness_support.forms.OnceForm`); the API takes the
`Idempotency-Key` header (the IETF httpapi draft's semantics) in the API blueprint's hooks. Keys
are kept for 24 hours, per caller: nobody can replay or probe another person's key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, utc_now
from .extensions import db

KEPT_FOR = timedelta(hours=24)
# Visible ASCII, as the draft's header is a string; long enough for a UUID or a client's own scheme.
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyKey(db.Model):
    """A key claimed by a caller; once the request succeeded, what it answered."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))  # "form" or "api"
    key: Mapped[str] = mapped_column(sa.String(255))
    # What was asked: the form's path, or a hash of the API request's method, path and body.
    fingerprint: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[int | None] = mapped_column()
    body: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.id} {self.scope} user={self.user_id} status={self.status}>"


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: ours to act on (`replay` False), or someone's earlier answer."""

    id: int
    replay: bool
    fingerprint: str
    status: int | None = None
    body: str | None = None
    location: str | None = None


def new_key() -> str:
    return secrets.token_urlsafe(24)


def is_valid_key(key: str | None) -> bool:
    return bool(key) and VALID_KEY.match(key) is not None


def request_fingerprint(method: str, path: str, content_type: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), content_type.encode()):
        digest.update(part + b"\x00")
    digest.update(body)
    return digest.hexdigest()


def claim(scope: str, user_id: int, key: str, fingerprint: str) -> Claim:
    """Claim the key in the current transaction, or return the earlier claim of it.

    On a duplicate the session is rolled back (nothing was done yet in this request) and the
    earlier row is read as committed by its own request.
    """
    table = IdempotencyKey.__table__
    db.session.execute(
        table.delete().where(table.c.user_id == user_id, table.c.created_at < utc_now() - KEPT_FOR)
    )
    try:
        claim_id = db.session.execute(
            table.insert().values(user_id=user_id, scope=scope, key=key, fingerprint=fingerprint, created_at=utc_now())
            .returning(table.c.id)
        ).scalar_one()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        return Claim(claim_id, False, fingerprint)
    row = db.session.execute(
        sa.select(table).where(table.c.user_id == user_id, table.c.scope == scope, table.c.key == key)
    ).mappings().one()
    return Claim(row["id"], True, row["fingerprint"], row["status"], row["body"], row["location"])


def remember(claim_id: int, *, status: int, body: str | None = None, location: str | None = None) -> None:
    """Keep what the first request answered, for the replays."""
    table = IdempotencyKey.__table__
    db.session.execute(table.update().where(table.c.id == claim_id).values(status=status, body=body,
                                                                           location=location))


def release(claim_id: int) -> None:
    """The request did not succeed: its key may be used again (the work was rolled back)."""
    table = IdempotencyKey.__table__
    db.session.execute(table.delete().where(table.c.id == claim_id))

"""The one feed token a person holds (only its hash is stored) and what the feed last looked like."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db
from .listen import install_triggers


class FeedToken(db.Model):
    """A person's calendar-feed credential: one row per person, rotated in place, deleted on revoke.

    `etag` and `changed_at` remember the last feed served, so that `Last-Modified` moves when the
    feed's membership changes (an assignment ends) and not only when an event changes: calendar
    apps that revalidate by date alone (Apple Calendar) then still see the change.
    """

    __tablename__ = "feed_tokens"
    __audit_type__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    # SHA-256 of the token, hex: the token has 256 random bits, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    etag: Mapped[str | None] = mapped_column(sa.String(80))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} user={self.user_id}>"


class FeedClock(db.Model):
    """One row whose `version` moves in every transaction that may change some feed (feeds/clock.py).

    An unchanged feed can then answer 304 from the token query alone: a worker that checked a
    feed at version V knows it is still the same while the version is V (and before the first
    moment at which time alone changes it: the feed's `valid_until`).
    """

    __tablename__ = "feed_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    def __repr__(self) -> str:
        return f"<FeedClock {self.version}>"


@sa.event.listens_for(db.metadata, "after_create")
def _feed_poll_triggers(target: sa.MetaData, connection: sa.Connection, **kw: object) -> None:
    """Databases made by create_all (tests, the demo) get the triggers migration 0014 creates."""
    if connection.dialect.name == "postgresql":
        install_triggers(connection)

"""The one feed token a person holds (only its hash is stored) and what the feed last looked like."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utc_now
from ..extensions import db


class FeedToken(db.Model):
    """A person's calendar-feed credential: one row per person, rotated in place, deleted on revoke.

    `etag` and `changed_at` remember the last feed served, so that `Last-Modified` moves when the
    feed's membership changes (an assignment ends) and not only when an event changes: calendar
    apps that revalidate by date alone (Apple Calendar) then still see the change.

    `checked_version`, `checked_until` and `checked_host` say when `etag` was last confirmed: at
    that feed clock version, valid until that instant (when time alone changes the feed), for
    that host in the event UIDs. While all three still hold, a poll answers from this row alone
    (feeds/clock.py), in any worker.
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
    checked_version: Mapped[int | None] = mapped_column(sa.BigInteger)
    checked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_host: Mapped[str | None] = mapped_column(sa.String(255))

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} user={self.user_id}>"


class FeedClock(db.Model):
    """One row whose `version` moves in every transaction that may change some feed (feeds/clock.py).

    An unchanged feed can then answer 304 from the token query alone: a feed checked at version V
    is still the same while the version is V (and before the first moment at which time alone
    changes it: the token row's `checked_until`).
    """

    __tablename__ = "feed_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    def __repr__(self) -> str:
        return f"<FeedClock {self.version}>"


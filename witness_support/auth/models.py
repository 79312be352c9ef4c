"""Accounts, second factors, sign-in attempts, server-side sessions, one-time account tokens,
teams and personal API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utc_now
from ..extensions import db

team_members = sa.Table(
    "team_members",
    db.metadata,
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):
    """A group of staff (a unit, an NGO, a court office), for admins to organise accounts."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    members = db.relationship("User", secondary=team_members, back_populates="teams", order_by="User.email")

    def __repr__(self) -> str:
        return f"<Team {self.id}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    # None until an invited person chooses a password: nobody else ever sets it.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of the user at once (logout everywhere, role change...).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP: the secret is kept while enrolment is pending; mfa_enrolled_at marks it confirmed.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step a code was accepted for: a code is usable once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Set by the lockout rule; only an admin clears it.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seeded demo accounts may skip MFA, and only while the app runs in demo mode.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    teams = db.relationship(Team, secondary=team_members, back_populates="members", order_by=Team.name)
    # The person who reviews this user's work, e.g. open concerns about a witness's benefits.
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enrolled_at is not None and bool(self.totp_secret)

    @property
    def status(self) -> str:
        if not self.active:
            return "disabled"
        if self.locked_at is not None:
            return "locked"
        if self.password_hash is None:
            return "invited"
        return "active"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code when the phone is lost; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}>"


class LoginAttempt(db.Model):
    """Sign-in outcomes by normalised email, known account or not, for the lockout rule.

    outcome: "failure" counts; "success" and "unlock" start the count afresh.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.id} {self.outcome}>"


class UserSession(db.Model):
    """A signed-in browser. The Flask session holds only a random id; its hash is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sid_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(40))

    user = db.relationship(User)

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class AccountToken(db.Model):
    """A single-use link token for an invitation or a password reset; only its hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = db.relationship(User)

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose} user={self.user_id}>"


class ApiToken(db.Model):
    """A personal API token; only its hash is stored.

    It works until `expires_at`, and ends early when revoked: by its owner or an admin, or by a
    security action on the account (lockout, signing out everywhere, an MFA reset, a password
    change or reset, disabling). A service token, marked so by an admin for an unattended
    integration, survives the security actions but disabling.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it ended early: "revoked" (by a person) or the security action (e.g. "password_change").
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))
    service: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    user = db.relationship(User)

    def status(self, moment: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= moment:
            return "expired"
        return "active"

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"

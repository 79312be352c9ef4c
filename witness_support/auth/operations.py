"""Accounts, passwords (argon2) and personal API tokens."""

from __future__ import annotations

import contextlib
import re
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from .. import audit
from ..db import utc_now
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..permissions import Role
from .models import ApiToken, User, hash_token

_HASHERS: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """The argon2 hasher for the configured cost, and a hash of a random password that is
    verified when the email is unknown, so that both answers take the same time."""
    time_cost = current_app.config.get("ARGON2_TIME_COST", 3)
    memory_cost = current_app.config.get("ARGON2_MEMORY_COST", 65536)
    key = (time_cost, memory_cost)
    if key not in _HASHERS:
        hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
        _HASHERS[key] = (hasher, hasher.hash(secrets.token_urlsafe(16)))
    return _HASHERS[key]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> str | None:
    """The reason a password is refused, or None. Length over composition (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    return None


def create_user(
    email: str, *, role: str, password: str, display_name: str = "", actor: User | None = None
) -> User:
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    if role not in set(Role):
        errors["role"] = "Choose admin, liaison_officer, prosecutor or support_person."
    reason = check_password_rules(password or "")
    if reason:
        errors["password"] = reason
    if errors:
        raise ValidationFailed(errors)
    if db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise Conflict("An account with this email already exists.", {"email": "Already in use."})
    user = User(
        email=email,
        role=role,
        display_name=(display_name or email.split("@")[0]).strip()[:120],
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, details={"role": role})
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    hasher, dummy_hash = _hasher()
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(dummy_hash, password or "")
        return None
    try:
        hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utc_now()
    return user


def set_role(actor: User, user: User, role: str) -> None:
    if role not in set(Role):
        raise ValidationFailed({"role": "Unknown role."})
    if user.role != role:
        before = user.role
        user.role = role
        user.session_version += 1  # a new role starts from a fresh login
        audit.record("user.role", user, actor=actor, details={"from": before, "to": role})


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise ValidationFailed({"active": "You cannot disable your own account."})
    if user.active != active:
        user.active = active
        user.session_version += 1
        audit.record("user.enable" if active else "user.disable", user, actor=actor)


def create_api_token(user: User, name: str = "api") -> tuple[ApiToken, str]:
    """Returns the token record and the secret, which is shown once and stored only hashed."""
    secret = "wst_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or "api")[:80], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", token, actor=user)
    return token, secret


def revoke_api_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        audit.record("api_token.revoke", token, actor=actor)


def user_for_api_token(secret: str) -> User | None:
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if token is None or not token.user.active:
        return None
    return token.user


def set_supervisor(actor: User, user: User, supervisor: User | None) -> None:
    """Who supervises this person's work (e.g. sees open concerns about their witnesses' support)."""
    if supervisor is not None:
        if supervisor.id == user.id:
            raise ValidationFailed({"supervisor_id": "Nobody supervises themselves."})
        if supervisor.role == Role.ADMIN or not supervisor.active:
            raise ValidationFailed({"supervisor_id": "Choose an active staff account (not an administrator)."})
    new_id = supervisor.id if supervisor is not None else None
    if user.supervisor_id != new_id:
        before = user.supervisor_id
        user.supervisor_id = new_id
        audit.record("user.supervisor", user, actor=actor, details={"from": before, "to": new_id})

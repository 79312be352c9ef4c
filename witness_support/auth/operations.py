"""Accounts, sign-in (password, then a TOTP or recovery code), lockout, server-side sessions,
invitations and password resets, teams and personal API tokens.

Every rule here reads the time through `now()`, which tests replace with a controllable clock
(the `CLOCK` setting) instead of sleeping.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.orm import joinedload

from .. import audit
from ..audit import AuditEvent
from ..db import utc_now
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..links import public_base_url, public_url
from ..mail import queue_email
from ..permissions import Role
from .models import AccountToken, ApiToken, LoginAttempt, RecoveryCode, Team, User, UserSession, hash_token
from .passwords import (
    DEMO_PASSWORD,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    hasher,
    normalise_password,
    password_problem,
)

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "hash_password"]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOTP_STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Refresh a session's "last seen" at most this often: enough for a 30-minute idle timeout
# without a database write on every request.
LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def now() -> datetime:
    return current_app.config.get("CLOCK", utc_now)()


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _find_user(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


# ---- accounts -----------------------------------------------------------------------------------


def _validate_new_account(email: str, role: str) -> str:
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    if role not in set(Role):
        errors["role"] = "Choose admin, liaison_officer, prosecutor or support_person."
    if errors:
        raise ValidationFailed(errors)
    if db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise Conflict("An account with this email already exists.", {"email": "Already in use."})
    return email


def create_user(
    email: str, *, role: str, password: str, display_name: str = "", actor: User | None = None,
    demo: bool = False,
) -> User:
    """An account with a password chosen by its owner (the CLI prompt, the demo seed).

    Admins never choose passwords for others: they invite (`invite_user`). `demo` is for the
    demo seed only: its accounts carry the published demo password, which every other account
    is refused.
    """
    errors: dict[str, str] = {}
    published_demo = demo and password == DEMO_PASSWORD
    reason = None if published_demo else password_problem(password or "", normalise_email(email), display_name)
    if reason:
        errors["password"] = reason
    try:
        email = _validate_new_account(email, role)
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.field_errors, **errors}) from None
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        role=role,
        display_name=(display_name or email.split("@")[0]).strip()[:120],
        password_hash=hash_password(password),
        is_demo=demo,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, details={"role": role, **({"demo": True} if demo else {})})
    return user


def invite_user(
    actor: User, email: str, *, role: str, display_name: str = "", teams: Iterable[Team] = ()
) -> User:
    """An account without a password, and an emailed single-use link to choose one."""
    public_base_url()  # no public address, no invitation: refused before anything changes
    email = _validate_new_account(email, role)
    user = User(
        email=email, role=role, display_name=(display_name or email.split("@")[0]).strip()[:120],
        password_hash=None,
    )
    user.teams = list(teams)
    db.session.add(user)
    db.session.flush()
    audit.record("user.invite", user, actor=actor, details={"role": role})
    _send_invitation(user)
    return user


def resend_invitation(actor: User, user: User) -> None:
    if user.password_hash is not None:
        raise ValidationFailed({"invitation": "This person has already accepted the invitation."})
    public_base_url()
    _send_invitation(user)
    audit.record("user.invite_resend", user, actor=actor)


def _send_invitation(user: User) -> None:
    hours = _setting("INVITE_TOKEN_HOURS", 72)
    secret = _issue_token(user, "invite", timedelta(hours=hours))
    link = public_url("auth.accept_invitation", token=secret)
    queue_email(
        user.email,
        "Your witness support account",
        f"An account has been created for you.\n\nChoose your password here (the link works once, "
        f"for {hours} hours):\n{link}\n\nYou will then set up an authenticator app.\n",
        link=link,
    )


def record_undelivered_invitation(user: User) -> None:
    """The invitation just sent to `user` did not reach the mail server: the account page says so
    until a later invitation is delivered."""
    audit.record("user.invite_undelivered", user)


def invitation_undelivered(user: User) -> bool:
    """Whether the last invitation sent to a person who has not yet accepted was not delivered."""
    if user.password_hash is not None:
        return False
    last = db.session.execute(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id,
               AuditEvent.action.in_(("user.invite", "user.invite_resend", "user.invite_undelivered")))
        .order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    return last == "user.invite_undelivered"


def set_role(actor: User, user: User, role: str) -> None:
    if role not in set(Role):
        raise ValidationFailed({"role": "Unknown role."})
    if actor.id == user.id and role != user.role:
        raise ValidationFailed({"role": "You cannot change your own role."})
    if user.role != role:
        before = user.role
        user.role = role
        end_all_sessions(user, "role_change")  # a new role starts from a fresh login
        audit.record("user.role", user, actor=actor, details={"from": before, "to": role})


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise ValidationFailed({"active": "You cannot disable your own account."})
    if user.active != active:
        user.active = active
        if not active:
            end_all_sessions(user, "disabled")
            revoke_tokens_after(user, "disabled", actor)
        audit.record("user.enable" if active else "user.disable", user, actor=actor)


def unlock_user(actor: User | None, user: User) -> None:
    if user.locked_at is None:
        raise ValidationFailed({"locked": "This account is not locked."})
    user.locked_at = None
    # The failures that caused the lock no longer count.
    db.session.add(LoginAttempt(email=user.email, at=now(), outcome="unlock"))
    audit.record("user.unlock", user, actor=actor)


def reset_mfa(actor: User | None, user: User) -> None:
    """The person enrols a new authenticator at their next sign-in (a lost phone)."""
    user.totp_secret = None
    user.mfa_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user, "mfa_reset")
    revoke_tokens_after(user, "mfa_reset", actor)
    audit.record("user.mfa_reset", user, actor=actor)


def create_team(actor: User, name: str) -> Team:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed({"name": "Enter a team name of at most 80 characters."})
    if db.session.execute(sa.select(Team.id).where(sa.func.lower(Team.name) == name.lower())).first():
        raise Conflict("A team with this name already exists.", {"name": "Already in use."})
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    audit.record("team.create", team, actor=actor)
    return team


def set_teams(actor: User, user: User, teams: Iterable[Team]) -> None:
    teams = list(teams)
    before, after = {t.id for t in user.teams}, {t.id for t in teams}
    if before != after:
        user.teams = teams
        audit.record("user.teams", user, actor=actor, details={"teams": sorted(after)})


# ---- passwords ------------------------------------------------------------------------------------


def _set_password(user: User, password: str) -> None:
    reason = password_problem(password or "", user.email, user.display_name)
    if reason:
        raise ValidationFailed({"password": reason})
    user.password_hash = hash_password(password)


def _verify_password(user: User | None, password: str) -> bool:
    """Always runs one argon2 verification, so unknown emails take as long as known ones."""
    argon, dummy = hasher()
    stored = user.password_hash if user is not None and user.password_hash else dummy
    try:
        argon.verify(stored, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False
    if stored is dummy:
        return False
    if argon.check_needs_rehash(stored):
        user.password_hash = argon.hash(normalise_password(password))
    return True


def change_password(user: User, current: str, new: str) -> None:
    if not _verify_password(user, current or ""):
        raise ValidationFailed({"current_password": "This is not your current password."})  # nosec B105 # a message, not a password
    _set_password(user, new)
    end_all_sessions(user, "password_change")
    revoke_tokens_after(user, "password_change", user)
    audit.record("user.password_change", user, actor=user)


# ---- sign-in and lockout ------------------------------------------------------------------------------


def _failures(email: str) -> int:
    """Failures within the window since the last success or unlock."""
    window_start = now() - timedelta(minutes=_setting("LOCKOUT_WINDOW_MINUTES", 15))
    last_reset = db.session.execute(
        sa.select(sa.func.max(LoginAttempt.id)).where(
            LoginAttempt.email == email, LoginAttempt.outcome.in_(("success", "unlock"))
        )
    ).scalar() or 0
    return db.session.execute(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.outcome == "failure",
            LoginAttempt.id > last_reset, LoginAttempt.at >= window_start,
        )
    ).scalar_one()


def _locked_out(email: str, user: User | None) -> bool:
    if user is not None and user.locked_at is not None:
        return True
    return _failures(email) >= _setting("LOCKOUT_THRESHOLD", 5)


def record_failure(email: str, ip: str | None = None) -> None:
    """Count a failed attempt (password or second factor); the threshold locks a known account."""
    email = normalise_email(email)[:254]
    db.session.add(LoginAttempt(email=email, at=now(), outcome="failure", ip=ip))
    db.session.flush()
    failures = _failures(email)
    user = _find_user(email)
    if user is not None and user.locked_at is None and failures >= _setting("LOCKOUT_THRESHOLD", 5):
        user.locked_at = now()
        audit.record("user.lock", user, actor=None, details={"failures": failures})
        revoke_tokens_after(user, "lockout")


def check_password(email: str, password: str, ip: str | None = None) -> User | None:
    """Step one of sign-in. None for every kind of refusal (unknown email, wrong password,
    locked, disabled, invitation not accepted) so that the answer reveals nothing."""
    email = normalise_email(email)
    user = _find_user(email)
    correct = _verify_password(user, password or "")
    if correct and user is not None and user.active and not _locked_out(email, user):
        return user
    record_failure(email, ip)
    audit.record("auth.login_failed", object_type="user", object_id=user.id if user else None, actor=None)
    return None


def authenticate(email: str, password: str) -> User | None:
    """Password only, for callers that need no second step (kept for compatibility)."""
    return check_password(email, password)


def may_skip_mfa(user: User) -> bool:
    return bool(current_app.config.get("DEMO_MODE")) and user.is_demo


# ---- TOTP and recovery codes ------------------------------------------------------------------------


def _current_step() -> int:
    return int(now().timestamp()) // TOTP_STEP_SECONDS


def _accept_totp(user: User, code: str) -> bool:
    """A code of the previous, current or next 30-second step (clock drift), each step once."""
    code = re.sub(r"\s", "", code or "")
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = _current_step()
    for candidate in (step - 1, step, step + 1):
        if user.totp_last_step is not None and candidate <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(candidate * TOTP_STEP_SECONDS), code):
            user.totp_last_step = candidate
            return True
    return False


def _normalise_recovery_code(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (code or "").lower())


def _hash_recovery_code(code: str) -> str:
    # Random 50-bit codes, not passwords: a keyed hash is enough and keeps lookups exact.
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


def _accept_recovery_code(user: User, code: str) -> bool:
    if len(_normalise_recovery_code(code)) != 10:
        return False
    record = db.session.execute(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()
    if record is None:
        return False
    record.used_at = now()
    audit.record("auth.recovery_code_used", user, actor=user)
    return True


def check_second_factor(user: User, code: str, ip: str | None = None) -> bool:
    """Step two: a TOTP code or an unused recovery code. A wrong code counts toward lockout."""
    if not _locked_out(user.email, user) and user.active and (
        _accept_totp(user, code) or _accept_recovery_code(user, code)
    ):
        return True
    record_failure(user.email, ip)
    audit.record("auth.code_failed", user, actor=None)
    return False


def new_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code; the codes are returned once and stored only hashed."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(raw)))
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New codes for a signed-in person who proves they still hold the authenticator."""
    if not user.mfa_enrolled or not _accept_totp(user, code):
        raise ValidationFailed({"code": "That code is not valid. Enter the current code from your app."})
    codes = new_recovery_codes(user)
    audit.record("user.recovery_codes_new", user, actor=user)
    return codes


def begin_enrolment(user: User) -> str:
    """A secret for the authenticator app, kept on the account until a code confirms it."""
    if user.mfa_enrolled:
        raise ValidationFailed({"code": "An authenticator is already set up for this account."})
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name="Witness support")


def confirm_enrolment(user: User, code: str) -> list[str]:
    if user.mfa_enrolled or not user.totp_secret:
        raise ValidationFailed({"code": "Start the set-up again."})
    if not _accept_totp(user, code):
        raise ValidationFailed({"code": "That code does not match. Check the time on your phone and try again."})
    user.mfa_enrolled_at = now()
    codes = new_recovery_codes(user)
    audit.record("user.mfa_enrol", user, actor=user)
    return codes


# ---- server-side sessions -----------------------------------------------------------------------------


def start_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """After both factors: a new random session id (stored hashed); the caller puts it in a
    fresh Flask session, so no id from before sign-in survives it (session fixation)."""
    sid = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(UserSession(
        user_id=user.id, sid_hash=hash_token(sid), created_at=moment, last_seen_at=moment,
        ip=(ip or "")[:64] or None, user_agent=(user_agent or "")[:255] or None,
    ))
    db.session.add(LoginAttempt(email=user.email, at=moment, outcome="success", ip=ip))
    user.last_login_at = moment
    audit.record("auth.login", user, actor=user)
    return sid


@functools.cache
def _session_statement() -> sa.Select:
    """Built once, with bound parameters: it runs at the start of every signed-in request."""
    return (
        sa.select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == sa.bindparam("user_id", type_=sa.Integer),
               UserSession.sid_hash == sa.bindparam("sid_hash", type_=sa.String))
    )


def session_user(user_id: str, sid: str | None) -> User | None:
    """The user of a request's session, or None when it has ended, timed out or is stale.

    Called once at the start of each request; it commits its own bookkeeping.
    """
    try:
        raw_id, version = user_id.split(":", 1)
        user_pk = int(raw_id)
    except (ValueError, TypeError):
        return None
    if not sid:
        return None
    # The person and the session record in one statement: every signed-in request starts here,
    # and on PostgreSQL each statement is a round trip.
    row = db.session.execute(_session_statement(), {"user_id": user_pk, "sid_hash": hash_token(sid)}).first()
    if row is None:
        return None
    user, record = row
    if not user.active or str(user.session_version) != version or record.ended_at is not None:
        return None
    moment = now()
    if moment - record.last_seen_at > timedelta(minutes=_setting("SESSION_IDLE_MINUTES", 30)):
        _end(record, "idle_timeout", moment)
        db.session.commit()
        return None
    if moment - record.created_at > timedelta(hours=_setting("SESSION_ABSOLUTE_HOURS", 12)):
        _end(record, "absolute_timeout", moment)
        db.session.commit()
        return None
    if moment - record.last_seen_at >= LAST_SEEN_GRANULARITY:
        record.last_seen_at = moment
        db.session.commit()
    return user


def _end(record: UserSession, reason: str, moment: datetime) -> None:
    record.ended_at = moment
    record.ended_reason = reason


def end_all_sessions(user: User, reason: str) -> int:
    """End every session of the user at once: the version in each session cookie goes stale,
    and the session records close. Returns how many were open."""
    user.session_version = (user.session_version or 1) + 1
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now(), ended_reason=reason)
    )
    return result.rowcount or 0


def sign_out_everywhere(actor: User, user: User) -> int:
    count = end_all_sessions(user, "signed_out_by_admin" if actor.id != user.id else "sign_out_everywhere")
    tokens = revoke_tokens_after(user, "sign_out_everywhere", actor)
    audit.record("user.sign_out_everywhere", user, actor=actor, details={"sessions": count, "tokens": tokens})
    return count


def logout(user: User) -> None:
    end_all_sessions(user, "logout")
    audit.record("auth.logout", user, actor=user)


def active_sessions(user: User) -> list[UserSession]:
    """Open sessions not yet past either timeout, newest first."""
    moment = now()
    idle_cutoff = moment - timedelta(minutes=_setting("SESSION_IDLE_MINUTES", 30))
    absolute_cutoff = moment - timedelta(hours=_setting("SESSION_ABSOLUTE_HOURS", 12))
    return list(db.session.execute(
        sa.select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None),
            UserSession.last_seen_at >= idle_cutoff, UserSession.created_at >= absolute_cutoff,
        ).order_by(UserSession.created_at.desc())
    ).scalars())


# ---- invitation and reset tokens ---------------------------------------------------------------------


def _issue_token(user: User, purpose: str, lifetime: timedelta) -> str:
    # A new link replaces any earlier one of the same purpose.
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now())
    )
    secret = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(AccountToken(
        user_id=user.id, purpose=purpose, token_hash=hash_token(secret), created_at=moment,
        expires_at=moment + lifetime,
    ))
    db.session.flush()
    return secret


def valid_token(purpose: str, secret: str) -> AccountToken | None:
    token = db.session.execute(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(secret or ""),
                                      AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if token is None or token.used_at is not None or token.expires_at <= now() or not token.user.active:
        return None
    if purpose == "invite" and token.user.password_hash is not None:
        return None
    return token


def request_password_reset(email: str) -> None:
    """Emails a reset link when the address belongs to an active account; the caller answers
    the same either way, so the form reveals nothing. Without a public address nothing is sent,
    whoever asks (PublicAddressMissing), which also reveals nothing."""
    public_base_url()
    user = _find_user(email)
    if user is None or not user.active or user.password_hash is None:
        return
    minutes = _setting("RESET_TOKEN_MINUTES", 30)
    secret = _issue_token(user, "reset", timedelta(minutes=minutes))
    link = public_url("auth.reset_password", token=secret)
    queue_email(
        user.email,
        "Reset your witness support password",
        f"Someone asked to reset the password of this account. If it was you, choose a new password "
        f"here (the link works once, for {minutes} minutes):\n{link}\n\nYou will still need your "
        f"authenticator app to sign in. If it was not you, ignore this message.\n",
    )
    audit.record("user.password_reset_request", user, actor=None)


def complete_with_token(purpose: str, secret: str, password: str) -> User:
    """Set the password from an invitation or reset link, once; every session ends."""
    token = valid_token(purpose, secret)
    if token is None:
        raise ValidationFailed({"token": "This link has expired or was already used. Ask for a new one."})  # nosec B105 # a message, not a password
    user = token.user
    _set_password(user, password)
    token.used_at = now()
    end_all_sessions(user, "password_reset" if purpose == "reset" else "invitation")
    if purpose == "reset":
        revoke_tokens_after(user, "password_reset", user)
    audit.record("user.password_reset" if purpose == "reset" else "user.invite_accept", user, actor=user)
    return user


# ---- personal API tokens (unaffected by MFA: they are created by a signed-in user or the CLI) ---------

# The security actions that end a person's tokens, and the word kept on each token it ended.
TOKEN_REVOKING_ACTIONS = ("lockout", "sign_out_everywhere", "mfa_reset", "password_change", "password_reset",
                          "disabled")


def create_api_token(
    user: User, name: str = "api", *, days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Returns the token record and the secret, which is shown once and stored only hashed.

    It works for `days` (API_TOKEN_DEFAULT_DAYS unless given, at most API_TOKEN_MAX_DAYS)."""
    name = (name or "").strip() or "api"
    maximum = _setting("API_TOKEN_MAX_DAYS", 365)
    days = _setting("API_TOKEN_DEFAULT_DAYS", 90) if days is None else days
    errors: dict[str, str] = {}
    if len(name) > 80:
        errors["name"] = "Use at most 80 characters."
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        errors["days"] = f"Choose a whole number of days from 1 to {maximum}."
    if not user.active:
        errors["user"] = "That account is disabled."
    if errors:
        raise ValidationFailed(errors)
    secret = "wst_" + secrets.token_urlsafe(32)
    moment = now()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret), created_at=moment,
                     expires_at=moment + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", token, actor=actor or user,
                 details={"owner": user.id, "days": days})
    return token, secret


def revoke_api_token(actor: User | None, token: ApiToken) -> None:
    """Ends one token now (its owner, an admin, or the CLI with no actor)."""
    if token.revoked_at is None:
        token.revoked_at = now()
        token.revoked_reason = "revoked"
        audit.record("api_token.revoke", token, actor=actor, details={"owner": token.user_id})


def set_service_token(actor: User, token: ApiToken, service: bool) -> None:
    """An admin marks a token as a service token (an unattended integration): it then survives
    lockout, signing out everywhere, MFA resets and password changes of its account."""
    if token.status(now()) != "active":
        raise ValidationFailed({"service": "Only a token that still works can be marked."})
    if token.service != service:
        token.service = service
        audit.record("api_token.service", token, actor=actor, details={"owner": token.user_id, "service": service})


def revoke_tokens_after(user: User, action: str, actor: User | None = None) -> int:
    """A security action on the account ends its tokens, but service tokens unless the account
    is disabled. Returns how many ended; audited when any did."""
    if action not in TOKEN_REVOKING_ACTIONS:
        raise ValueError(f"not a token-revoking action: {action}")
    query = sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if action != "disabled":
        query = query.where(ApiToken.service.is_(False))
    count = db.session.execute(
        query.values(revoked_at=now(), revoked_reason=action).execution_options(synchronize_session="fetch")
    ).rowcount or 0
    if count:
        audit.record("api_token.revoke_all", user, actor=actor, details={"reason": action, "tokens": count})
    return count


def check_api_token(secret: str) -> tuple[ApiToken | None, str | None]:
    """The token for a secret and, when it may not be used, why: "unknown", "revoked",
    "expired" or "disabled" (its account). Notes when it was last used, at most once a minute."""
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret or ""))
    ).scalar_one_or_none()
    if token is None:
        return None, "unknown"
    moment = now()
    status = token.status(moment)
    if status != "active":
        return token, status
    if not token.user.active:
        return token, "disabled"
    if token.last_used_at is None or moment - token.last_used_at >= LAST_SEEN_GRANULARITY:
        token.last_used_at = moment
        db.session.commit()  # bookkeeping before any view runs, as for sessions
    return token, None


def api_tokens_of(user: User) -> list[ApiToken]:
    """A person's own tokens, newest first (their account page)."""
    return list(db.session.execute(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).scalars())


def own_api_token(user: User, token_id: int) -> ApiToken | None:
    """One of the person's own tokens: another person's token and a missing id are both None,
    from the same single statement."""
    return db.session.execute(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).scalar_one_or_none()


def all_api_tokens() -> list[ApiToken]:
    """Every token with its owner, newest first (the admin page)."""
    return list(db.session.execute(
        sa.select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    ).scalars())


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


def update_account(
    actor: User, user: User, *, role: str, active: bool, teams: Iterable[Team], supervisor: User | None
) -> None:
    """The administrator's account page in one operation: role, active, teams and supervisor."""
    set_role(actor, user, role)
    set_active(actor, user, active)
    set_teams(actor, user, teams)
    set_supervisor(actor, user, supervisor)

"""Settings read from the environment, with safe defaults (a SQLite file in the instance folder)."""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment(instance_path: str) -> dict:
    """All settings, each overridable by an environment variable of the same name."""
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "witness_support.sqlite3")
    )
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Rules of the product; each is a setting because courts and programmes differ.
        "RISK_ASSESSMENT_MAX_AGE_DAYS": _int("RISK_ASSESSMENT_MAX_AGE_DAYS", 30),
        "REFLECTION_PERIOD_DEFAULT_DAYS": _int("REFLECTION_PERIOD_DEFAULT_DAYS", 30),
        "REFLECTION_PERIOD_MAX_DAYS": _int("REFLECTION_PERIOD_MAX_DAYS", 90),
        # Court readiness: an aid still needed or applied this close to the first trial day blocks;
        # the dashboard looks this far ahead; a decided aid must be told to the witness within days.
        "AID_DEADLINE_DAYS": _int("AID_DEADLINE_DAYS", 14),
        "READINESS_WINDOW_DAYS": _int("READINESS_WINDOW_DAYS", 60),
        "AID_DECISION_TASK_DAYS": _int("AID_DECISION_TASK_DAYS", 2),
        "PAGE_SIZE": _int("PAGE_SIZE", 50),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Outgoing email (notices, invitations). Sent only after the commit that asked for it.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "witness-support@localhost"),
    }

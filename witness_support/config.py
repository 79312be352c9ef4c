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


def _int_map(name: str, default: dict[str, int]) -> dict[str, int]:
    """"verdict=1,escaped=0" -> {"verdict": 1, "escaped": 0}, layered over the defaults."""
    result = dict(default)
    for item in (os.environ.get(name) or "").split(","):
        if "=" in item:
            key, _, value = item.partition("=")
            result[key.strip()] = int(value)
    return result


def _int_list(name: str, default: list[int]) -> list[int]:
    raw = os.environ.get(name)
    return [int(x) for x in raw.split(",") if x.strip()] if raw else list(default)


def _str_list(name: str) -> list[str]:
    return [x.strip() for x in (os.environ.get(name) or "").split(",") if x.strip()]


# Deadlines per notice kind in working days after the triggering event; 0 means immediately
# (NOTIFICATION_IMMEDIATE_MINUTES). Defaults follow common victims' codes.
DEFAULT_NOTIFICATION_DEADLINES = {
    "hearing_set": 1,
    "hearing_moved": 1,
    "hearing_cancelled": 1,
    "verdict": 1,
    "sentence": 1,
    "appeal_lodged": 1,
    "appeal_outcome": 1,
    "release_upcoming": 1,
    "released": 0,
    "escaped": 0,
    "recalled": 0,
    "at_large": 0,
    "in_custody": 1,
    "bail": 1,
    "bail_breached": 1,
    "custody_update": 1,
    "parole_hearing": 1,
    "deported": 1,
    "property_collectable": 1,
}


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
        # SQLite's page cache per connection, in MB (SQLite's own default is 2 MB, which halved the
        # speed of the readiness dashboard's statements at 100,000 witnesses; filled only as read).
        "SQLITE_CACHE_MB": _int("SQLITE_CACHE_MB", 32),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # The largest document one may upload, in bytes (documents/); the upload routes alone accept
        # a request this large (plus the form's few fields), every other route keeps MAX_CONTENT_LENGTH.
        "DOCUMENT_MAX_BYTES": _int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024),
        # Rules of the product; each is a setting because courts and programmes differ.
        "RISK_ASSESSMENT_MAX_AGE_DAYS": _int("RISK_ASSESSMENT_MAX_AGE_DAYS", 30),
        "REFLECTION_PERIOD_DEFAULT_DAYS": _int("REFLECTION_PERIOD_DEFAULT_DAYS", 30),
        "REFLECTION_PERIOD_MAX_DAYS": _int("REFLECTION_PERIOD_MAX_DAYS", 90),
        # Court readiness: an aid still needed or applied this close to the first trial day blocks;
        # the dashboard looks this far ahead; a decided aid must be told to the witness within days.
        "AID_DEADLINE_DAYS": _int("AID_DEADLINE_DAYS", 14),
        "READINESS_WINDOW_DAYS": _int("READINESS_WINDOW_DAYS", 60),
        "AID_DECISION_TASK_DAYS": _int("AID_DECISION_TASK_DAYS", 2),
        # A referral not answered within this many working days raises a task for the witness's officer.
        "REFERRAL_RESPONSE_DAYS": _int("REFERRAL_RESPONSE_DAYS", 7),
        # A service-plan need raises a review task this many working days before its review date.
        "SERVICE_REVIEW_REMINDER_WORKING_DAYS": _int("SERVICE_REVIEW_REMINDER_WORKING_DAYS", 5),
        "PAGE_SIZE": _int("PAGE_SIZE", 50),
        # The address people reach the service at, e.g. https://witness-support.example.org: every
        # absolute link the app sends or shows (invitations, password resets, feed URLs) starts with
        # it, never with the request's Host. Required outside development (links.py).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        # Host names a request may be addressed to (comma-separated; ".example.org" allows its
        # subdomains); any other answers 400. Unset outside development: the PUBLIC_BASE_URL's host.
        "TRUSTED_HOSTS": _str_list("TRUSTED_HOSTS") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Sign-in and sessions (CJIS / NIST SP 800-63B).
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "LOCKOUT_THRESHOLD": _int("LOCKOUT_THRESHOLD", 5),
        "LOCKOUT_WINDOW_MINUTES": _int("LOCKOUT_WINDOW_MINUTES", 15),
        "RESET_TOKEN_MINUTES": _int("RESET_TOKEN_MINUTES", 30),
        "INVITE_TOKEN_HOURS": _int("INVITE_TOKEN_HOURS", 72),
        # How long a break-glass grant opens a witness to an officer who is not assigned.
        "BREAK_GLASS_HOURS": _int("BREAK_GLASS_HOURS", 4),
        # Personal API tokens: the lifetime when none is chosen, and the longest one may choose.
        "API_TOKEN_DEFAULT_DAYS": _int("API_TOKEN_DEFAULT_DAYS", 90),
        "API_TOKEN_MAX_DAYS": _int("API_TOKEN_MAX_DAYS", 365),
        # Lets the seeded demo accounts skip MFA; refused unless the database is a demo SQLite file.
        "DEMO_MODE": _bool("DEMO_MODE"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Calendar feeds: polls allowed per feed token and per client address; the https base of
        # feed links (unset: PUBLIC_BASE_URL); the host in event UIDs (unset: the request's host,
        # one of TRUSTED_HOSTS).
        "FEED_RATE_LIMIT_PER_TOKEN": os.environ.get("FEED_RATE_LIMIT_PER_TOKEN", "60 per hour"),
        "FEED_RATE_LIMIT_PER_IP": os.environ.get("FEED_RATE_LIMIT_PER_IP", "600 per hour"),
        "FEED_BASE_URL": os.environ.get("FEED_BASE_URL", ""),
        "FEED_UID_HOST": os.environ.get("FEED_UID_HOST", ""),
        # Identity encryption at rest (crypto.py): comma-separated Fernet keys, the first encrypts.
        # Unset, keys live in instance/identity.keys (created on first use, mode 0600).
        "IDENTITY_KEYS": os.environ.get("IDENTITY_KEYS", ""),
        # The key of the blind index used for exact-match name search; unset, instance/identity-index.key.
        "IDENTITY_INDEX_KEY": os.environ.get("IDENTITY_INDEX_KEY", ""),
        # Bits kept of each name token's keyed hash in the name search index: fewer bits, more
        # names share each value (docs/security.md). Changing it needs `flask witnesses reindex-names`.
        "NAME_TOKEN_BITS": _int("NAME_TOKEN_BITS", 12),
        # Served behind a TLS-terminating proxy: trust this many X-Forwarded-* hops (0 = none).
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Outgoing email (notices, invitations). Sent only after the commit that asked for it.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "witness-support@localhost"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        # "smtp", or "file": each message written to MAIL_FILE_DIR (the default in demo mode).
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND") or ("file" if _bool("DEMO_MODE") else "smtp"),
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR", ""),
        # Post-trial notices (witness_support/notifications). See docs/notifications.md.
        "NOTIFICATION_DEADLINES": _int_map("NOTIFICATION_DEADLINES", DEFAULT_NOTIFICATION_DEADLINES),
        "NOTIFICATION_IMMEDIATE_MINUTES": _int("NOTIFICATION_IMMEDIATE_MINUTES", 60),
        # Undelivered this long before its deadline, a notice becomes an urgent task.
        "NOTIFICATION_URGENT_BEFORE_MINUTES": _int("NOTIFICATION_URGENT_BEFORE_MINUTES", 60),
        "NOTIFICATION_RETRY_BASE_SECONDS": _int("NOTIFICATION_RETRY_BASE_SECONDS", 60),
        "NOTIFICATION_MAX_ATTEMPTS": _int("NOTIFICATION_MAX_ATTEMPTS", 8),
        # A claim older than this is abandoned by a crashed sweep: shown to the officer, never resent blindly.
        "NOTIFICATION_CLAIM_TIMEOUT_MINUTES": _int("NOTIFICATION_CLAIM_TIMEOUT_MINUTES", 15),
        "RELEASE_REMINDER_DAYS": _int_list("RELEASE_REMINDER_DAYS", [30, 7]),
        "PERMIT_REMINDER_DAYS": _int_list("PERMIT_REMINDER_DAYS", [60, 30]),
        "REMEDY_REMINDER_WORKING_DAYS": _int("REMEDY_REMINDER_WORKING_DAYS", 10),
        "IMPACT_STATEMENT_REMINDER_DAYS": _int("IMPACT_STATEMENT_REMINDER_DAYS", 10),
        "PROTECTION_PLAN_REVISION_WORKING_DAYS": _int("PROTECTION_PLAN_REVISION_WORKING_DAYS", 5),
        # The account (a shared team inbox) that receives the tasks of a witness whose officer has
        # left; unset, the longest-serving active liaison officer receives them.
        "AFTERCARE_TEAM_EMAIL": os.environ.get("AFTERCARE_TEAM_EMAIL", ""),
        # ISO weekdays that are working days (1 = Monday) and public holidays (YYYY-MM-DD).
        "WORKING_WEEKDAYS": _int_list("WORKING_WEEKDAYS", [1, 2, 3, 4, 5]),
        "HOLIDAYS": _str_list("HOLIDAYS"),
        # Working days are counted in this zone when a notice concerns no case (else the court's).
        "NOTIFICATION_TIMEZONE": os.environ.get("NOTIFICATION_TIMEZONE", "UTC"),
        # What a minimal ("there is news") message gives as the number to call.
        "LIAISON_OFFICE_PHONE": os.environ.get("LIAISON_OFFICE_PHONE", "the witness support office"),
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", "file"),
        "SMS_FILE_DIR": os.environ.get("SMS_FILE_DIR", os.path.join(instance_path, "sms-outbox")),
        # Benefits ledger. The HMAC key signs checkpoints and must live outside the database;
        # unset, a key file is created in the instance folder (mode 0600) on first use.
        "LEDGER_HMAC_KEY": os.environ.get("LEDGER_HMAC_KEY", ""),
        "LEDGER_HMAC_KEY_FILE": os.environ.get("LEDGER_HMAC_KEY_FILE", ""),  # default: instance/ledger_hmac_key
        # Keys that signed earlier checkpoints (comma-separated): still checked, never used to sign.
        "LEDGER_HMAC_RETIRED_KEYS": os.environ.get("LEDGER_HMAC_RETIRED_KEYS", ""),
        # Every checkpoint is also appended here, outside the database (keep it on another host
        # or write-once storage), and mailed to the auditor if one is set.
        "LEDGER_DIGEST_PATH": os.environ.get("LEDGER_DIGEST_PATH", os.path.join(instance_path, "ledger_digest.jsonl")),
        "LEDGER_AUDITOR_EMAIL": os.environ.get("LEDGER_AUDITOR_EMAIL", ""),
        "LEDGER_CHECKPOINT_EVERY": _int("LEDGER_CHECKPOINT_EVERY", 100),
        # Entries of these kinds, or above these amounts, need an authoriser other than the enterer.
        "LEDGER_SECOND_PERSON_KINDS": os.environ.get(
            "LEDGER_SECOND_PERSON_KINDS", "visa_or_stay_permit,livelihood_grant"
        ),
        "LEDGER_SECOND_PERSON_THRESHOLDS": os.environ.get("LEDGER_SECOND_PERSON_THRESHOLDS", "USD:250,EUR:250"),
        # For currencies not listed above; unset means no amount limit for them.
        "LEDGER_SECOND_PERSON_DEFAULT_THRESHOLD": os.environ.get("LEDGER_SECOND_PERSON_DEFAULT_THRESHOLD", ""),
        "LEDGER_TESTIMONY_WINDOW_DAYS": _int("LEDGER_TESTIMONY_WINDOW_DAYS", 30),
    }

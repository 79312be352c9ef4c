"""Password rules (NIST SP 800-63B: length, a blocklist, no composition rules) and argon2 hashing."""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from flask import current_app

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# Words of the product that people reach for when asked for a password here.
PRODUCT_WORDS = ("witness", "support", "bali process", "trafficking", "prosecution")

_HASHERS: dict[tuple[int, int], tuple[PasswordHasher, str]] = {}


def hasher() -> tuple[PasswordHasher, str]:
    """The argon2 hasher for the configured cost, and a hash of a random password that is
    verified when the email is unknown, so that both answers take the same time."""
    time_cost = current_app.config.get("ARGON2_TIME_COST", 3)
    memory_cost = current_app.config.get("ARGON2_MEMORY_COST", 65536)
    key = (time_cost, memory_cost)
    if key not in _HASHERS:
        argon = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
        _HASHERS[key] = (argon, argon.hash(secrets.token_urlsafe(16)))
    return _HASHERS[key]


def normalise_password(password: str) -> str:
    """NFKC, so that the same password typed on another keyboard or OS still matches."""
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    return hasher()[0].hash(normalise_password(password))


@cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist (see auth/data/README.md), read once per process."""
    text = resources.files(__package__).joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def _squashed(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def password_problem(password: str, email: str = "") -> str | None:
    """The reason a password is refused, or None."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    folded, squashed = password.casefold(), _squashed(password)
    blocklist = common_passwords()
    if folded in blocklist or folded.strip() in blocklist or squashed in blocklist:
        return "This password is on the list of commonly used passwords. Choose another."
    local_part = _squashed(email.split("@", 1)[0]) if email else ""
    if len(local_part) >= 3 and local_part in squashed:
        return "Do not use your email name in your password."
    for word in PRODUCT_WORDS:
        if _squashed(word) in squashed:
            return f"Do not use the word “{word}” in your password: it is the first thing an attacker tries here."
    return None

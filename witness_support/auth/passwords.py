"""Password rules and argon2 hashing.

NIST SP 800-63B: a minimum length, no composition rules, and a check against what attackers try
first: the blocklist, repeats and runs, words of this product and of the person, and a strength
estimate (zxcvbn) with a minimum score. One function, `password_problem`, is the only check: the
forms, the invitation and reset links and the CLI all call it, so they refuse the same passwords
with the same words."""

from __future__ import annotations

import re
import secrets
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from flask import current_app
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# Words of the product that people reach for when asked for a password here.
PRODUCT_WORDS = ("witness", "support", "bali process", "trafficking", "prosecution")
# The seeded demo accounts' password. It is published (README, the seed's output), so no real
# account may use it or anything near it; only the demo seed sets it (create_user(demo=True)).
DEMO_PASSWORD = "demo-only-password-2026"  # noqa: S105 # nosec B105 # published for the demo; refused for real accounts
# zxcvbn's scale runs 0-4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_ZXCVBN_SCORE = 3
# zxcvbn refuses longer input (its matching grows faster than linearly with length); the first
# 72 characters are estimated, and the rest only adds strength.
ZXCVBN_MAX_INPUT = 72
MIN_DISTINCT_CHARACTERS = 5

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


def _words(*texts: str) -> list[str]:
    """The person's own words for zxcvbn: whole values, run together, and their parts
    ("Ann Lee-Ross" gives "ann lee-ross", "annleeross", "ann", "lee", "ross")."""
    words: list[str] = []
    for text in texts:
        text = (text or "").casefold().strip()
        if text:
            words.extend((text, _squashed(text)))
            words.extend(part for part in re.split(r"[^0-9a-z]+", text) if len(part) >= 3)
    return words


def _is_repetitive(password: str) -> bool:
    """Few distinct characters ("aaaaaaaaaaaa", twelve spaces, "abababababab") or one unit
    repeated ("passpasspass")."""
    folded = password.casefold()
    return len(set(folded)) < MIN_DISTINCT_CHARACTERS or re.fullmatch(r"(.+?)\1+", folded) is not None


def _is_sequential(password: str) -> bool:
    """A run along the alphabet, the digits or a keyboard row, either way, with at most one
    break ("abcdefghijkl", "123456789012", "zyxwvutsrqpo", "qwertyuiopas")."""
    folded = _squashed(password)
    if len(folded) < MIN_PASSWORD_LENGTH // 2:
        return False
    rows = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
    breaks = 0
    for a, b in zip(folded, folded[1:], strict=False):
        if not any(_adjacent(row, a, b) for row in rows):
            breaks += 1
    return breaks <= 1


def _adjacent(row: str, a: str, b: str) -> bool:
    if a not in row or b not in row:
        return False
    step = (row.index(b) - row.index(a)) % len(row)
    return step in (1, len(row) - 1)  # next or previous, wrapping ("9" then "0")


def password_problem(password: str, email: str = "", display_name: str = "") -> str | None:
    """The reason a password is refused, or None. The only password check there is."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    folded, squashed = password.casefold(), _squashed(password)
    if _is_repetitive(password):
        return "This password repeats a few characters; repeats are the first thing an attacker tries. Choose another."
    blocklist = common_passwords()
    if folded in blocklist or folded.strip() in blocklist or squashed in blocklist:
        return "This password is on the list of commonly used passwords. Choose another."
    if _is_sequential(password):
        return "This password is a run of letters, digits or keys (like “abcdef” or “123456”). Choose another."
    if _squashed(DEMO_PASSWORD) in squashed:
        return "This is the published demo password, or close to it. Choose another."
    local_part = _squashed(email.split("@", 1)[0]) if email else ""
    if len(local_part) >= 3 and local_part in squashed:
        return "Do not use your email name in your password."
    for word in PRODUCT_WORDS:
        if _squashed(word) in squashed:
            return f"Do not use the word “{word}” in your password: it is the first thing an attacker tries here."
    estimate = zxcvbn(password[:ZXCVBN_MAX_INPUT],
                      user_inputs=_words(email, display_name, *PRODUCT_WORDS, DEMO_PASSWORD))
    if estimate["score"] < MIN_ZXCVBN_SCORE:
        hint = estimate["feedback"]["warning"] or "It is close to passwords that attackers try first."
        return f"This password is too easy to guess. {hint} A few unrelated words make a strong one."
    return None

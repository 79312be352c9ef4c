"""Identity data at rest: authenticated encryption of columns, key files, rotation and the blind index.

Witnesses' legal names, birth dates, contact details and addresses are stored as Fernet tokens
(AES-128-CBC with an HMAC-SHA256 tag: tampering is detected, not decrypted into garbage). Keys
come from the `IDENTITY_KEYS` setting (comma-separated, the first encrypts, all decrypt), or else
from a key file in the instance folder created on first use with mode 0600. `flask keys rotate`
adds a key and re-encrypts every row (see docs/security.md).

Exact-match search by name uses a blind index: HMAC-SHA256 of the normalised name under a
separate key (`IDENTITY_INDEX_KEY` or its own key file), so that the database never holds
anything a reader could reverse or compare against a list of names without that key.

Search by any part of a name uses a second, deliberately lossy index in the manner of
CipherSweet's blind indexes: each token of the name is folded (accents, case, common
transliteration variants), hashed with the same key, and truncated to NAME_TOKEN_BITS bits so
that each stored value stands for many different names. Candidates are confirmed by decrypting
them (see docs/security.md, "The name search index").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

T = TypeVar("T")
KEYS_FILE_NAME = "identity.keys"
INDEX_KEY_FILE_NAME = "identity-index.key"

_lock = threading.Lock()


class KeyError_(RuntimeError):  # noqa: N801 - "KeyError" is a builtin with another meaning
    """The identity keys are missing, malformed or do not open a stored value."""


def _create_secret_file(path: str, content: str) -> None:
    """Written once with mode 0600 (O_EXCL: two processes starting together cannot both write)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(content)


def _write_secret_file(path: str, content: str) -> None:
    """Replace atomically, keeping mode 0600: a crash leaves either the old or the new file."""
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def keys_file(app: Flask) -> str:
    return app.config.get("IDENTITY_KEYS_FILE") or os.path.join(app.instance_path, KEYS_FILE_NAME)


def index_key_file(app: Flask) -> str:
    return app.config.get("IDENTITY_INDEX_KEY_FILE") or os.path.join(app.instance_path, INDEX_KEY_FILE_NAME)


def _parse_keys(raw: str, source: str) -> list[bytes]:
    keys = [k.strip().encode() for k in raw.replace("\n", ",").split(",") if k.strip()]
    if not keys:
        raise KeyError_(f"No identity key in {source}.")
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise KeyError_(f"An identity key in {source} is not a Fernet key (flask keys generate).") from None
    return keys


@dataclass
class Keyring:
    """The keys in force: `keys[0]` encrypts, every key decrypts; `index_key` feeds the blind index."""

    keys: list[bytes]
    index_key: bytes
    source: str  # "setting" or the key file's path
    mtime: float | None = None

    def __post_init__(self) -> None:
        self._fernet = MultiFernet([Fernet(k) for k in self.keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def decrypt_date(self, token: str) -> date:
        return date.fromisoformat(self.decrypt(token))

    def encrypt_bytes(self, plaintext: bytes) -> bytes:
        """A Fernet token as raw bytes (its base64 undone: a quarter smaller in a binary column)."""
        return base64.urlsafe_b64decode(self._fernet.encrypt(plaintext))

    def decrypt_bytes(self, raw: bytes) -> bytes:
        return self._fernet.decrypt(base64.urlsafe_b64encode(raw))

    def rotate_bytes(self, raw: bytes) -> bytes | None:
        """`raw` under the current key, or None when it already is (rotation has nothing to do)."""
        token = base64.urlsafe_b64encode(raw)
        if self.is_current(token.decode("ascii")):
            return None
        return base64.urlsafe_b64decode(self._fernet.rotate(token))

    def is_current(self, token: str) -> bool:
        """True when the current key alone opens the token (rotation is finished for that value)."""
        try:
            Fernet(self.keys[0]).decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def name_token(self, key: str, bits: int) -> int:
        """A folded token's keyed hash, truncated to its top `bits` bits (a small integer)."""
        digest = hmac.new(self.index_key, b"name-token\x00" + key.encode("utf-8"), hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big") >> (32 - bits)

    def name_tokens(self, name: str | None, bits: int) -> set[int]:
        return {self.name_token(key, bits) for key in name_token_keys(name or "")}

    def blind_index(self, name: str | None) -> str | None:
        if name is None:
            return None
        return hmac.new(self.index_key, normalise_name(name).encode("utf-8"), hashlib.sha256).hexdigest()


def normalise_name(name: str) -> str:
    """Case, Unicode form and spacing do not matter to a search: 'ANA  maría' finds 'Ana María'."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l",
                          "ı": "i", "þ": "th", "ŋ": "ng"})
# Common transliteration variants, applied in order to an accent-free lower-case token:
# Sophia/Sofia, Khan/Kan, Yusuf/Jusuf/Iusuf, Mohammed/Mohamed, Wladimir/Vladimir, Aleksandr/Alexandr.
_VARIANTS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"(?<=[bcdfgkprt])h"), ""),
    (re.compile(r"[qc](?=[aoukr]|$)"), "k"),
    (re.compile(r"ou|oo"), "u"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_SPLIT = re.compile(r"[^0-9a-z]+")


def name_token_keys(text: str, folded: dict[str, str] | None = None) -> set[str]:
    """The folded tokens of a name: 'Nguyễn Thị  MAI-Ly' -> {nguien, ti, mai, li}.

    Two spellings that differ by accents, case, punctuation or a listed transliteration variant
    give the same key, which is what both the index and the confirmation of a match compare.

    `folded`: a memo of token -> key for the length of one search, which confirms hundreds of
    candidates whose names share most of their words (the variants are most of the cost). It is
    the caller's and dies with the search: no name's words outlive it in the process."""
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold().translate(_LETTERS))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    keys = set()
    for token in _SPLIT.split(plain):
        key = folded.get(token) if folded is not None else None
        if key is None:
            key = token
            for pattern, replacement in _VARIANTS:
                key = pattern.sub(replacement, key)
            if folded is not None:
                folded[token] = key
        if key:
            keys.add(key)
    return keys


def _index_key(app: Flask) -> bytes:
    if app.config.get("IDENTITY_INDEX_KEY"):
        return str(app.config["IDENTITY_INDEX_KEY"]).encode()
    path = index_key_file(app)
    _create_secret_file(path, os.urandom(32).hex() + "\n")
    with open(path) as handle:
        value = handle.read().strip()
    if len(value) < 32:
        raise KeyError_(f"The blind-index key in {path} is too short.")
    return value.encode()


def _load(app: Flask) -> Keyring:
    index_key = _index_key(app)
    if app.config.get("IDENTITY_KEYS"):
        return Keyring(_parse_keys(str(app.config["IDENTITY_KEYS"]), "IDENTITY_KEYS"), index_key, "setting")
    path = keys_file(app)
    _create_secret_file(path, Fernet.generate_key().decode() + "\n")
    mtime = os.stat(path).st_mtime
    with open(path) as handle:
        return Keyring(_parse_keys(handle.read(), path), index_key, path, mtime)


def keyring(app: Flask | None = None, *, fresh: bool = True) -> Keyring:
    """The app's keyring; a key file changed by `flask keys rotate` in another process is re-read.

    `fresh=False` skips that check (a stat of the key file) for decryption, which re-reads the
    keys itself when a token does not open: a page decrypts dozens of values."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    ring: Keyring | None = app.extensions.get("identity_keyring")
    if ring is not None and ring.mtime is not None and fresh:
        try:
            if os.stat(ring.source).st_mtime != ring.mtime:
                ring = None
        except FileNotFoundError:
            ring = None
    if ring is None:
        with _lock:
            ring = _load(app)
            app.extensions["identity_keyring"] = ring
    return ring


def forget_keyring(app: Flask) -> None:
    app.extensions.pop("identity_keyring", None)


def decrypt(token: str) -> str:
    return _open(token, Keyring.decrypt)


def decrypt_date(token: str) -> date:
    return _open(token, Keyring.decrypt_date)


def _open(token: str, how: Callable[[Keyring, str], T]) -> T:
    try:
        return how(keyring(fresh=False), token)
    except InvalidToken:
        # Another process may have just rotated the key file: read it again once before failing.
        forget_keyring(current_app._get_current_object())  # type: ignore[attr-defined]
        try:
            return how(keyring(), token)
        except InvalidToken:
            raise KeyError_("A stored identity value cannot be opened with the configured keys.") from None


def decrypt_bytes(raw: bytes) -> bytes:
    """A binary value (a document's chunk) opened with the configured keys."""
    return _open(raw, Keyring.decrypt_bytes)  # type: ignore[arg-type]


def blind_index(name: str | None) -> str | None:
    return keyring().blind_index(name)


def name_tokens(name: str | None) -> set[int]:
    """The truncated keyed hashes of a name's tokens, as stored in the name search index."""
    return keyring().name_tokens(name, int(current_app.config["NAME_TOKEN_BITS"]))


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted in the database, plain `str` in Python: views and operations see no difference.

    Encryption is randomised, so SQL cannot compare or sort these columns; search goes through
    a blind index column instead.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return decrypt(value)


class EncryptedDate(sa.types.TypeDecorator):
    """A date encrypted as its ISO text; `is_child` and other date logic stay in Python."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> date | None:
        if value is None:
            return None
        return decrypt_date(value)


# ---- rotation and first encryption ---------------------------------------------------------------

# Every encrypted column: (table, primary key, columns). The witness's blind index is recomputed
# from the decrypted name on each pass, so a changed index key is also applied by a rotation.
ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "witnesses": ("legal_name", "date_of_birth", "contact_details", "address"),
    "notification_preferences": ("email", "phone", "postal_address", "third_party_name"),
    "witness_contacts": ("summary",),
}
# Encrypted text columns of tables created after the migration that first encrypted the columns
# above (it imports that constant and must keep finding only the tables that existed then).
LATER_ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {"documents": ("name",)}
# Binary columns holding raw Fernet tokens (Keyring.encrypt_bytes), by table: a document's content.
ENCRYPTED_BLOBS: dict[str, str] = {"document_chunks": "data"}
BLIND_INDEXES = {"witnesses": ("legal_name", "legal_name_index")}


def reencrypt_table(
    connection: sa.Connection, ring: Keyring, table: str, columns: tuple[str, ...], *, plaintext_ok: bool = False
) -> int:
    """Rewrite every value of the table under the current key; returns the number of rows changed.

    With `plaintext_ok` (the migration that first encrypts existing data) a value no key opens is
    taken as plaintext; otherwise it is an error, so that a wrong key never double-encrypts data.
    """
    index = BLIND_INDEXES.get(table)
    selected = [*columns, index[1]] if index else list(columns)
    names = ", ".join(selected)
    rows = connection.execute(sa.text(f"SELECT id, {names} FROM {table} ORDER BY id")).all()  # noqa: S608 # nosec B608 # names come from the constant ENCRYPTED_COLUMNS, never from input
    changed = 0
    for row in rows:
        stored_values = dict(zip(selected, row[1:], strict=True))
        values: dict[str, Any] = {"id": row[0]}
        dirty = False
        for name in columns:
            stored = stored_values[name]
            if stored is None:
                values[name] = None
                continue
            if isinstance(stored, date):  # a date column not yet turned into text
                stored = stored.isoformat()
            try:
                plain = ring.decrypt(stored)
                needs = not ring.is_current(stored)
            except (InvalidToken, UnicodeEncodeError):
                if not plaintext_ok:
                    raise KeyError_(f"A value in {table}.{name} (row {row[0]}) opens with no configured key.") from None
                plain, needs = stored, True
            values[name] = ring.encrypt(plain) if needs else stored
            dirty = dirty or needs
            if index and name == index[0]:
                values[index[1]] = ring.blind_index(plain)
                dirty = dirty or values[index[1]] != stored_values[index[1]]
        if not dirty:
            continue
        assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
        connection.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), values)  # noqa: S608 # nosec B608 # constant table and column names
        changed += 1
    return changed


def reencrypt_blobs(connection: sa.Connection, ring: Keyring, table: str, column: str) -> int:
    """Rewrite every binary value of the table under the current key, one row in memory at a time
    (a document's chunks together may be megabytes); returns the number of rows changed."""
    ids = connection.execute(sa.text(f"SELECT id FROM {table} ORDER BY id")).scalars().all()  # noqa: S608 # nosec B608 # constant table name (ENCRYPTED_BLOBS)
    changed = 0
    for row_id in ids:
        raw = connection.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar()  # noqa: S608 # nosec B608 # constant names
        try:
            rotated = ring.rotate_bytes(bytes(raw))
        except InvalidToken:
            raise KeyError_(f"A value in {table}.{column} (row {row_id}) opens with no configured key.") from None
        if rotated is None:
            continue
        connection.execute(sa.text(f"UPDATE {table} SET {column} = :data WHERE id = :id"),  # noqa: S608 # nosec B608 # constant names
                           {"data": rotated, "id": row_id})
        changed += 1
    return changed


def reencrypt_all(connection: sa.Connection, ring: Keyring) -> int:
    """One pass of a rotation over every encrypted column, text and binary."""
    total = 0
    for table, columns in {**ENCRYPTED_COLUMNS, **LATER_ENCRYPTED_COLUMNS}.items():
        total += reencrypt_table(connection, ring, table, columns)
    for table, column in ENCRYPTED_BLOBS.items():
        total += reencrypt_blobs(connection, ring, table, column)
    return total


def all_current(connection: sa.Connection, ring: Keyring) -> bool:
    """Whether the current key alone opens every stored value (the end condition of a rotation)."""
    for table, columns in {**ENCRYPTED_COLUMNS, **LATER_ENCRYPTED_COLUMNS}.items():
        names = ", ".join(columns)
        for row in connection.execute(sa.text(f"SELECT {names} FROM {table}")):  # noqa: S608 # nosec B608 # constant table and column names
            if any(value is not None and not ring.is_current(value) for value in row):
                return False
    for table, column in ENCRYPTED_BLOBS.items():
        for (raw,) in connection.execute(sa.text(f"SELECT {column} FROM {table}")):  # noqa: S608 # nosec B608 # constant names
            if not ring.is_current(base64.urlsafe_b64encode(bytes(raw)).decode("ascii")):
                return False
    return True


def add_key_to_file(app: Flask) -> bytes:
    """Put a new key in front of the key file (it encrypts from now on); older keys still decrypt."""
    path = keys_file(app)
    ring = keyring(app)
    new = Fernet.generate_key()
    _write_secret_file(path, "\n".join(k.decode() for k in [new, *ring.keys]) + "\n")
    forget_keyring(app)
    return new


def retire_old_keys(app: Flask) -> int:
    """Keep only the current key in the key file; returns how many keys were dropped."""
    path = keys_file(app)
    ring = keyring(app)
    _write_secret_file(path, ring.keys[0].decode() + "\n")
    forget_keyring(app)
    return len(ring.keys) - 1

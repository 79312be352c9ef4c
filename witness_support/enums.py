"""Enums whose members carry the words a page shows for them, and the choices forms build from them.

A member is declared with its value and its words, `CALL = "call", "phone call"`; one declared with
its value alone reads as that value with spaces for underscores. What is stored and sent is the
value, exactly as with a plain StrEnum (the words are only shown), so a column, a schema's enum and
the OpenAPI document are the same as before the words moved onto the members.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry their words: `Route.CIVIL_CLAIM.words == "civil claim"`."""

    words: str

    def __new__(cls, value: str, words: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.words = value.replace("_", " ") if words is None else words
        return member

    @classmethod
    def words_of(cls, value: str | None, default: str | None = None) -> str:
        """The words of the member with this value; a value that is no member (a stored row from
        before the list changed) reads as `default`, or as itself."""
        member = cls._value2member_map_.get(value)  # type: ignore[arg-type]
        if member is not None:
            return member.words  # type: ignore[attr-defined,no-any-return]
        return default if default is not None else value or ""

    @classmethod
    def word_map(cls) -> dict[Self, str]:
        """{member: words}, for code that reads the words as a mapping."""
        return {member: member.words for member in cls}


def choices(members: Iterable[StrEnum], *, capitalize: bool = False, skip: Iterable[str] = (),
            blank: str | None = None) -> dict[str, str]:
    """{value: words} of a select field, in the enum's order (the form WTForms 3.3+ takes without
    deprecation warnings): a LabelledEnum's words, a plain StrEnum's value with spaces for
    underscores; `capitalize` for a list of its own, `skip` leaves values out, `blank` puts an
    empty first choice with that text."""
    left_out = {str(value) for value in skip}
    items = {
        member.value: _capitalized(getattr(member, "words", member.value.replace("_", " ")), capitalize)
        for member in members if member.value not in left_out
    }
    return {"": blank, **items} if blank is not None else items


def _capitalized(words: str, capitalize: bool) -> str:
    return words.capitalize() if capitalize else words

"""Building blocks every resource's schema uses: the input and output bases and the shared types.

Each domain declares its resources in its own `schemas.py` with Pydantic v2 models built from
these; one model validates a request body, shapes a response and gives the OpenAPI document its
JSON Schema (2020-12, the dialect OpenAPI 3.1 uses), so the three cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    create_model,
)

from ..access import document_groups

MAX_ID = 2**31 - 1  # the range of an INTEGER id column on PostgreSQL


class Input(BaseModel):
    """A request body: unknown fields refused, JSON types checked strictly (no "yes" for true)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def given(self) -> dict[str, Any]:
        """The fields the client sent (a PATCH changes only those), as plain Python values."""
        return self.model_dump(exclude_unset=True)


class Output(BaseModel):
    """A response body, read from a model's attributes; every field is always present."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL cannot store NUL in text, and nothing legitimate contains it.
    if value is not None and "\x00" in value:
        raise ValueError("Text cannot contain NUL characters")
    return value


def _blank(value: str | None) -> str:
    return value or ""


def Text(max_length: int, *, min_length: int | None = None) -> Any:  # noqa: N802 - reads as a type
    """Text of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length), AfterValidator(_no_nul)]


def BlankText(max_length: int) -> Any:  # noqa: N802 - reads as a type
    """Optional text where null means empty (the columns hold "" rather than NULL)."""
    return Annotated[
        str | None, Field(max_length=max_length), AfterValidator(_no_nul), AfterValidator(_blank)
    ]


def NullText(max_length: int) -> Any:  # noqa: N802 - reads as a type
    """Optional text that may be null."""
    return Annotated[str | None, Field(max_length=max_length), AfterValidator(_no_nul)]


def OneOf(*values: str) -> Any:  # noqa: N802 - reads as a type
    """One of a fixed set of strings that is not an enum of its own (a subset of one, say)."""
    return Literal[tuple(sorted(str(v) for v in values))]  # type: ignore[valid-type]


# An id in a request body: beyond the column's range no row can match, and the database would fail.
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
# An instant in a response: ISO 8601 with its offset, as Python's isoformat writes it.
Instant = Annotated[
    datetime,
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = date
# Money as an exact decimal string with two places ("125.50"); never a float.
Money = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: None if v is None else f"{v:.2f}", return_type=str | None),
    WithJsonSchema({"type": ["string", "null"], "pattern": "^-?[0-9]{1,12}\\.[0-9]{2}$"}),
]


@cache
def field_groups(resource: str) -> Any:
    """A model's `json_schema_extra` saying, of each field, which field group of the witness it
    needs (access.document_groups): fields of groups a caller does not see are absent."""
    def extra(schema: dict[str, Any], _model: type) -> None:
        document_groups(schema, resource)

    return extra


def items_of(model: type[BaseModel]) -> type[Output]:
    """The `{"items": [...]}` list answer of a resource."""
    return create_model(f"{model.__name__}List", __base__=Output, items=(list[model], ...))  # type: ignore[valid-type]


@cache
def page_of(model: type[BaseModel]) -> type[Output]:
    """The paged list answer of a resource: `{"items": [...], "next_after": id or null}`."""
    return create_model(  # type: ignore[call-overload]
        f"{model.__name__}Page", __base__=Output, items=(list[model], ...),  # type: ignore[valid-type]
        next_after=(int | None, Field(description="Pass as `after` for the next page; null on the last")),
    )

"""Errors that operations raise; web views turn them into messages by the field, the API into JSON."""

from __future__ import annotations


class OperationError(Exception):
    """A rule refused the change. Nothing was changed."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(OperationError):
    code = "validation_failed"

    def __init__(self, field_errors: dict[str, str], message: str = "Some fields need attention.") -> None:
        super().__init__(message, field_errors)


class Conflict(OperationError):
    status = 409
    code = "conflict"


class NotFound(OperationError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)

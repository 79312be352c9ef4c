"""Delivery channels. Email goes over SMTP; SMS through a provider interface; letters and visits
are handed to the liaison officer (a print queue and a task).

Only the SMS provider may be replaced by a development transport: `FileSmsProvider` writes each
message to a file in the instance folder. Register a real provider with `register_sms_provider`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Protocol

from flask import Flask, current_app

from ..db import utc_now
from ..mail import send_email


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send one text message; return the provider's message id; raise OSError on failure."""


class FileSmsProvider:
    """Development transport: one file per message in SMS_FILE_DIR (the instance folder)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def send(self, to: str, body: str) -> str:
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        message_id = f"{utc_now():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"
        path = os.path.join(self.directory, f"{message_id}.txt")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"To: {to}\n\n{body}\n")
        return message_id


_SMS_PROVIDERS: dict[str, Callable[[Flask], SmsProvider]] = {
    "file": lambda app: FileSmsProvider(app.config["SMS_FILE_DIR"]),
}


def register_sms_provider(name: str, factory: Callable[[Flask], SmsProvider]) -> None:
    _SMS_PROVIDERS[name] = factory


def sms_provider() -> SmsProvider:
    name = current_app.config.get("SMS_PROVIDER", "file")
    if name not in _SMS_PROVIDERS:
        raise OSError(f"unknown SMS provider {name!r}")
    return _SMS_PROVIDERS[name](current_app._get_current_object())  # type: ignore[attr-defined]


def send_by_email(to: str, subject: str, body: str) -> None:
    send_email(to, subject, body)


def send_by_sms(to: str, body: str) -> None:
    sms_provider().send(to, body)

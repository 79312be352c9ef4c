"""Email over SMTP, sent only after the database commit that asked for it.

`queue_email(...)` during a request or command keeps the message aside; `send_queued()` (called
after a successful commit by `commit_and_send()`) delivers it. A rolled-back change therefore never
sends mail, and a failed send never rolls back the change.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g

from .extensions import db


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str


def send_email(to: str, subject: str, body: str) -> str:
    """Send one message now; returns its Message-ID. Raises smtplib/OSError on failure."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "witness-support@localhost")
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="witness-support")
    message.set_content(body)
    host, port = config.get("MAIL_SERVER", "127.0.0.1"), int(config.get("MAIL_PORT", 25))
    timeout = float(config.get("MAIL_TIMEOUT", 10))
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
    return str(message["Message-ID"])


def queue_email(to: str, subject: str, body: str) -> None:
    g.setdefault("outgoing_email", []).append(OutgoingEmail(to, subject, body))


def send_queued() -> int:
    """Send what was queued; a failure is logged (without the content) and does not raise."""
    sent = 0
    for message in g.pop("outgoing_email", []):
        try:
            send_email(message.to, message.subject, message.body)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            current_app.logger.warning("email not sent: %s", type(exc).__name__)
    return sent


def commit_and_send() -> None:
    db.session.commit()
    send_queued()

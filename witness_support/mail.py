"""Email over SMTP (or into a folder, in development), sent only after the database commit that asked for it.

`queue_email(...)` during a request or command keeps the message aside; `send_queued()` (called
after a successful commit by `commit_and_send()`) delivers it. A rolled-back change therefore never
sends mail, and a failed send never rolls back the change: `commit_and_send()` answers what was not
delivered, so that the page can say so.

With MAIL_BACKEND=file each message is written as an .eml file to MAIL_FILE_DIR instead (the
default while DEMO_MODE is on), so a demo or development install delivers without a mail server.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, g

from .extensions import db


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    # The one link the message carries (an invitation, say), shown on the page in development.
    link: str = ""


def send_email(to: str, subject: str, body: str) -> str:
    """Send one message now; returns its Message-ID. Raises smtplib/OSError on failure."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "witness-support@localhost")
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="witness-support")
    message.set_content(body)
    if config.get("MAIL_BACKEND") == "file":
        return _write_to_folder(message)
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


def _write_to_folder(message: EmailMessage) -> str:
    """Deliver into MAIL_FILE_DIR, one .eml file per message (named after its Message-ID)."""
    folder = Path(current_app.config.get("MAIL_FILE_DIR") or Path(current_app.instance_path) / "mail")
    folder.mkdir(parents=True, exist_ok=True)
    message_id = str(message["Message-ID"])
    name = "".join(c if c.isalnum() or c in "-." else "_" for c in message_id.strip("<>"))
    (folder / f"{name}.eml").write_bytes(message.as_bytes())
    return message_id


def queue_email(to: str, subject: str, body: str, *, link: str = "") -> None:
    g.setdefault("outgoing_email", []).append(OutgoingEmail(to, subject, body, link))


def send_queued() -> list[OutgoingEmail]:
    """Send what was queued; answers the messages that were not delivered. A failure is logged
    (without the content) and does not raise."""
    undelivered = []
    g.last_batch = batch = g.pop("outgoing_email", [])
    for message in batch:
        try:
            send_email(message.to, message.subject, message.body)
        except (OSError, smtplib.SMTPException) as exc:
            current_app.logger.warning("email not sent: %s", type(exc).__name__)
            undelivered.append(message)
    return undelivered


def commit_and_send() -> list[OutgoingEmail]:
    """Commit, then send what was queued; answers the messages that were not delivered."""
    db.session.commit()
    return send_queued()


def last_batch() -> list[OutgoingEmail]:
    """The messages the last `send_queued()` of this request handled, delivered or not."""
    return g.get("last_batch", [])


def show_links() -> bool:
    """Development (debug or demo mode): pages show the links they email, so nobody needs a mail server."""
    return bool(current_app.debug or current_app.config.get("DEMO_MODE"))

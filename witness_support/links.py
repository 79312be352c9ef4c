"""Absolute links the app sends or shows (emailed invitations and resets, feed URLs), built from
configuration and never from the request's Host or X-Forwarded-Host headers.

A link built from the request would let anyone who can send a request with `Host: evil.invalid`
make the app mail a real person a working password-reset link on the attacker's host. So every
absolute link starts with `PUBLIC_BASE_URL`; in development (debug, testing or demo mode) an
unset setting falls back to the address the development server speaks, and anywhere else the app
refuses to build the link (`PublicAddressMissing`), which the pages say and the log records.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from .errors import OperationError

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"  # what `flask run` serves: plain http


class PublicAddressMissing(OperationError):
    """PUBLIC_BASE_URL is not set outside development: no link is built, no mail is sent."""

    status = 503
    code = "public_address_missing"

    def __init__(self) -> None:
        super().__init__(
            "This could not be sent: the service's public address (PUBLIC_BASE_URL) is not configured. "
            "Ask your administrator to set it."
        )


def is_development(config: Any) -> bool:
    """Debug, testing and the local demo: the only modes that may run without a public address."""
    return bool(config.get("DEBUG") or config.get("TESTING") or config.get("DEMO_MODE"))


def check_base_url(url: str, name: str = "PUBLIC_BASE_URL") -> str:
    """`https://host[:port][/prefix]` without query or fragment; returned without a trailing slash."""
    parts = urlsplit(url.strip())
    if (
        parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
        or "@" in parts.netloc or any(c.isspace() or c == "\\" for c in url.strip())
    ):
        raise RuntimeError(f"{name} must be an address such as https://witness-support.example.org, not {url!r}.")
    return url.strip().rstrip("/")


def configure(app: Flask) -> None:
    """Check PUBLIC_BASE_URL at start-up and, outside development, default TRUSTED_HOSTS to its host.

    Flask then answers a request for any other Host (or X-Forwarded-Host, behind PROXY_FIX_HOPS)
    with 400 before a view runs. Development keeps answering any host (localhost, 127.0.0.1, a LAN
    address) unless TRUSTED_HOSTS is set.
    """
    base = app.config.get("PUBLIC_BASE_URL") or ""
    if base:
        app.config["PUBLIC_BASE_URL"] = check_base_url(base)
    if app.config.get("FEED_BASE_URL"):
        app.config["FEED_BASE_URL"] = check_base_url(app.config["FEED_BASE_URL"], "FEED_BASE_URL")
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if not hosts:
        hosts = None
        if base and not is_development(app.config):
            hosts = [urlsplit(app.config["PUBLIC_BASE_URL"]).hostname]
            if app.config.get("FEED_BASE_URL"):
                hosts.append(urlsplit(app.config["FEED_BASE_URL"]).hostname)
    app.config["TRUSTED_HOSTS"] = hosts


def public_base_url() -> str:
    """The configured public address; in development a fallback; otherwise PublicAddressMissing."""
    config = current_app.config
    if config.get("PUBLIC_BASE_URL"):
        return str(config["PUBLIC_BASE_URL"])
    if not is_development(config):
        current_app.logger.error("PUBLIC_BASE_URL is not set: a link could not be built and was not sent")
        raise PublicAddressMissing()
    return DEVELOPMENT_BASE_URL


def public_url(endpoint: str, *, base: str | None = None, **values: Any) -> str:
    """The absolute URL of an endpoint on the public address (or on `base`), request or not.

    The path is built from the URL map alone, so neither the request's host nor its script root
    (X-Forwarded-Prefix) has a say; a prefix the service lives under belongs in the base URL.
    """
    adapter = current_app.url_map.bind("unused.invalid", script_name="/")
    path = adapter.build(endpoint, values, force_external=False)
    return (base or public_base_url()) + path

"""The feed itself (token-authenticated), the Subscribe page, and an admin's revoke.

The feed route sits outside the sign-in: the token in its URL is the credential, so that a
calendar app can poll it. Unknown, rotated and revoked tokens all answer the same plain 404.
Tokens never reach a log: `logging_setup` masks every `/feeds/<token>` path segment.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth.models import User
from ..court.models import CourtEvent
from ..extensions import db, limiter
from ..forms import attempt
from ..links import PublicAddressMissing, public_base_url, public_url
from ..permissions import Permission
from ..web import get_or_404, permission_required
from . import ical, operations
from .forms import FeedForm
from .models import FeedToken

bp = Blueprint("feeds", __name__)

CALENDAR_MIMETYPE = "text/calendar"  # Flask adds "; charset=utf-8"
# Subscribers may keep a copy but must ask again each time; shared caches keep none.
CACHE_CONTROL = "private, max-age=0, must-revalidate"


def uid_host() -> str:
    return current_app.config.get("FEED_UID_HOST") or request.host.split(":")[0]


def feed_base_url() -> str:
    """FEED_BASE_URL, else the public address; never the request's host (links.py)."""
    return current_app.config.get("FEED_BASE_URL") or public_base_url()


def feed_urls(token: str) -> tuple[str, str]:
    """The feed's URL in the scheme of the configured address (http or https) and the same as
    webcal:// (which opens the calendar app)."""
    web = public_url("feeds.feed", base=feed_base_url(), token=token)
    return web, "webcal://" + web.split("://", 1)[1]


# A new link is shown once, on the page the browser is sent to after making it (post/redirect/get:
# going back or reloading neither fails nor makes another link). Between the two requests the
# token travels in the session cookie, sealed: the cookie is only signed, and a token readable in
# it would be a credential in every copy of the cookie. It is opened once and then gone.
REVEAL_KEY = "feed_link_reveal"
REVEAL_SECONDS = 300


def _reveal_box() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"feed-link-reveal\0" + secret).digest()))


def _take_revealed_token() -> str | None:
    """The token made a moment ago in this session, once; None when there is none, it is stale,
    or it is no longer the person's current link."""
    sealed = session.pop(REVEAL_KEY, None)
    if not isinstance(sealed, str):
        return None
    try:
        token = _reveal_box().decrypt(sealed.encode(), ttl=REVEAL_SECONDS).decode()
    except (InvalidToken, UnicodeDecodeError):
        return None
    access = operations.resolve_token(token)
    return token if access is not None and access.user.id == current_user.id else None


def _token_key() -> str:
    """The rate-limit key of the token in the URL: its hash, so the limiter's store holds no token."""
    token = (request.view_args or {}).get("token", "")
    return "feed:" + operations.hash_token(token)[:32]


def _per_token_limit() -> str:
    return current_app.config["FEED_RATE_LIMIT_PER_TOKEN"]


def _per_ip_limit() -> str:
    return current_app.config["FEED_RATE_LIMIT_PER_IP"]


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    candidates = [part.strip() for part in header.split(",")]
    # Weak comparison (RFC 9110 13.1.2): a proxy may have weakened our strong tag.
    return any(c.removeprefix("W/") == etag for c in candidates)


def _not_modified_since(header: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return last_modified <= since


def _calendar_headers(response: Response, etag: str, last_modified: datetime) -> Response:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/feeds/<token>.ics")
@limiter.limit(_per_token_limit, key_func=_token_key)
@limiter.limit(_per_ip_limit)
def feed(token: str) -> Response:
    access = operations.resolve_token(token)
    if access is None:
        # One plain answer for unknown, rotated and revoked tokens alike: nothing to tell them apart.
        return Response("Not found.\n", status=404, mimetype="text/plain")
    host = uid_host()
    now = operations.feed_now()
    etag = operations.confirmed_etag(access, host, now)
    if etag is not None:  # unchanged since confirmed (the feed clock stands still): nothing to read
        last_modified = access.changed_at
    else:
        state = operations.feed_state(access.user, now)
        etag = ical.feed_etag(state.fingerprint, host)
        feed_row = db.session.get(FeedToken, access.feed_id)
        if feed_row is None:  # revoked a moment ago
            return Response("Not found.\n", status=404, mimetype="text/plain")
        last_modified = operations.remember_feed_state(feed_row, etag, version=access.version,
                                                       valid_until=state.valid_until, host=host, now=now)
        db.session.commit()
    if_none_match = request.headers.get("If-None-Match")
    if_modified_since = request.headers.get("If-Modified-Since")
    # If-None-Match wins when both are sent (RFC 9110 13.2.2).
    if (if_none_match is not None and _etag_matches(if_none_match, etag)) or (
        if_none_match is None and if_modified_since and _not_modified_since(if_modified_since, last_modified)
    ):
        return _calendar_headers(Response(status=304), etag, last_modified)
    # Read again in full: should the feed change between the two queries, the body is the newer
    # one and the next poll's ETag differs from this one's, so the client fetches again.
    body = ical.render_calendar(operations.feed_members(access.user), host)
    response = Response(body, mimetype=CALENDAR_MIMETYPE)
    response.headers["Content-Disposition"] = 'inline; filename="court-schedule.ics"'
    return _calendar_headers(response, etag, last_modified)


@bp.route("/calendar-feed")
@permission_required(Permission.FEED_SUBSCRIBE)
def subscribe() -> str:
    token = _take_revealed_token()
    return render_template("feeds/subscribe.html", feed=operations.feed_token_of(current_user),
                           urls=feed_urls(token) if token else None, form=FeedForm())


@bp.route("/calendar-feed/rotate", methods=["POST"])
@permission_required(Permission.FEED_SUBSCRIBE)
def rotate() -> Response:
    form = FeedForm()
    if not form.validate_on_submit():
        return redirect(url_for("feeds.subscribe"), 303)
    try:
        feed_base_url()  # a link that cannot be shown is not made: the old one keeps working
    except PublicAddressMissing as exc:
        flash(exc.message, "error")
        return redirect(url_for("feeds.subscribe"), 303)
    token = operations.issue_feed_token(current_user, current_user)
    db.session.commit()
    # Shown once by the page this redirects to (no-store there), never in a URL of its own.
    session[REVEAL_KEY] = _reveal_box().encrypt(token.encode()).decode()
    return redirect(url_for("feeds.subscribe"), 303)


@bp.route("/admin/users/<int:user_id>/feed/revoke", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def admin_revoke(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    form = FeedForm()
    if form.validate_on_submit():
        result = attempt(lambda: operations.revoke_feed_token(current_user, user))
        if result.ok:
            flash("The calendar feed link was revoked; it stopped working at once.", "success")
        else:  # the only refusal: there is no link to revoke
            flash("This person has no calendar feed link.", "error")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/court-events/<int:event_id>/event.ics")
@permission_required(Permission.SCHEDULE_VIEW)
def event_ics(event_id: int) -> Response:
    """One event as a calendar file, with the feed's content rules (pseudonymous, no identity).

    Anyone whose feed would carry the event may download it: the people booked to attend it and
    the staff of its case.
    """
    event = db.session.get(CourtEvent, event_id)
    member = operations.event_members(current_user, event) if event is not None else None
    if member is None:
        abort(404)
    response = Response(ical.render_calendar([member], uid_host(), subscription=False), mimetype=CALENDAR_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="court-event-{event.id}.ics"'
    return response

"""Forms of the feed pages: buttons only, so CSRF is all they check."""

from __future__ import annotations

from flask_wtf import FlaskForm


class FeedForm(FlaskForm):
    """Create/rotate or revoke a feed link."""

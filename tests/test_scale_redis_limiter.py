"""Several hosts share Flask-Limiter's counts through Redis (RATELIMIT_STORAGE_URI, docs/deploy.md):
sign-in attempts made on two app instances add up, so a client cannot multiply its allowance by the
number of hosts behind the proxy."""

from __future__ import annotations

import os
import uuid

import pytest

from witness_support import create_app
from witness_support.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _redis_or_skip() -> None:
    redis = pytest.importorskip("redis", reason="the redis client is in the `deploy` extra")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL to a Redis server to run this test)")


def test_two_hosts_share_the_sign_in_limit_through_redis(app_config):
    _redis_or_skip()
    # A key prefix of our own: other runs and other apps on this Redis are not touched.
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL,
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    hosts = [create_app(config), create_app(config)]
    with hosts[0].app_context():
        db.create_all()
    try:
        codes = []
        for attempt in range(12):  # /login allows 10 POSTs a minute per address
            client = hosts[attempt % 2].test_client()
            response = client.post("/login", data={"email": "nobody@example.test", "password": "wrong"},
                                   environ_base={"REMOTE_ADDR": "203.0.113.9"})
            codes.append(response.status_code)
        assert codes[:10] == [200] * 10  # the sign-in page again, with its error
        assert codes[10:] == [429, 429]  # the 11th attempt is refused, whichever host it reaches
    finally:
        for host in hosts:
            with host.app_context():
                db.session.remove()
                db.engine.dispose()

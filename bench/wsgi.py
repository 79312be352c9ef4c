"""The app gunicorn serves during bench/run.py: the product plus the bench's floor endpoints
(bench/floor.py), no rate limit.

    BENCH_DATABASE_URL=... gunicorn -w 2 -b 127.0.0.1:8000 bench.wsgi:app
"""

from __future__ import annotations

import os

from bench.floor import register
from witness_support import create_app

app = create_app({
    "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"], "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
})
register(app)

"""Can the time of a 404 tell a hidden witness from a missing one?

    python bench/timing_oracle.py --requests 400
    python bench/timing_oracle.py --requests 400 --database postgresql://postgres@127.0.0.1:5432/bench_oracle

A person without access asks, through the API with their own token, for a witness that exists
but is hidden from them and for an id that does not exist, interleaved (each pair in random
order, so drift in the machine's speed falls on both alike). Whole requests in process through
the WSGI stack. Reports both medians, their difference with a bootstrap 95% interval, and the
two-sided Mann-Whitney U test's p-value (normal approximation with the tie correction; scipy is
not needed for one formula). A large p-value and an interval around zero mean the timing tells
nothing; the same run before the not-found paths were made equal gave p < 0.001.

Uses an empty SQLite file in a temporary folder unless --database is given (its tables are
created and dropped: use a scratch database).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from witness_support import create_app  # noqa: E402
from witness_support.auth import operations as auth_ops  # noqa: E402
from witness_support.extensions import db  # noqa: E402
from witness_support.witnesses import operations as witness_ops  # noqa: E402

MISSING_ID = 987_654


def mann_whitney(a: list[float], b: list[float]) -> tuple[float, float]:
    """U of `a` and the two-sided p-value, normal approximation with the tie correction."""
    pooled = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (u1 - n1 * n2 / 2) / sigma if sigma else 0.0
    return u1, math.erfc(abs(z) / math.sqrt(2))


def bootstrap_median_difference(a: list[float], b: list[float], rounds: int = 2000) -> tuple[float, float]:
    rng = random.Random(1)  # noqa: S311 - resampling, not security
    diffs = sorted(
        statistics.median(rng.choices(a, k=len(a))) - statistics.median(rng.choices(b, k=len(b)))
        for _ in range(rounds)
    )
    return diffs[int(rounds * 0.025)], diffs[int(rounds * 0.975)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per kind (hidden, missing)")
    parser.add_argument("--database", help="a scratch database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="timing-oracle-")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench-only", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{folder}/oracle.sqlite3",
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
        "IDENTITY_KEYS": "YmVuY2gtb25seS1pZGVudGl0eS1rZXktMDEyMzQ1Njc=",
        "IDENTITY_INDEX_KEY": "bench-only-blind-index-key-0123456789",
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        owner = auth_ops.create_user("owner@bench.test", role="liaison_officer",
                                     password="copper lanterns at low tide")  # noqa: S106 - invented
        stranger = auth_ops.create_user("stranger@bench.test", role="liaison_officer",
                                        password="seven quiet orchards north")  # noqa: S106 - invented
        hidden = witness_ops.create_witness(owner, legal_name="Invented Bench Person", preferred_language="Thai")
        _, secret = auth_ops.create_api_token(stranger, "bench")
        db.session.commit()
        hidden_url, missing_url = f"/api/v1/witnesses/{hidden.id}", f"/api/v1/witnesses/{MISSING_ID}"
        headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()

    def timed(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code == 404, response.status_code
        return elapsed * 1e6  # microseconds

    for _ in range(50):  # warm caches and the token's last-use note
        timed(hidden_url)
        timed(missing_url)
    rng = random.Random(2)  # noqa: S311 - ordering, not security
    times: dict[str, list[float]] = {"hidden": [], "missing": []}
    for _ in range(args.requests):
        pair = [("hidden", hidden_url), ("missing", missing_url)]
        rng.shuffle(pair)
        for name, url in pair:
            times[name].append(timed(url))

    a, b = times["hidden"], times["missing"]
    u, p = mann_whitney(a, b)
    low, high = bootstrap_median_difference(a, b)
    diff = statistics.median(a) - statistics.median(b)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}; {args.requests} requests per kind, "
          "interleaved, in random order per pair")
    print(f"median hidden  {statistics.median(a):8.1f} µs")
    print(f"median missing {statistics.median(b):8.1f} µs")
    print(f"difference     {diff:+8.1f} µs (bootstrap 95% interval {low:+.1f} to {high:+.1f} µs)")
    print(f"Mann-Whitney U {u:.0f}, two-sided p = {p:.3g}")
    with app.app_context():
        db.session.remove()
        if args.database:
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()

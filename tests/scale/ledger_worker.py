"""A second app process for tests/test_scale_multiprocess.py: append benefits to the shared ledger.

    python tests/scale/ledger_worker.py ACTOR_ID WITNESS_ID COUNT   (configured by the environment)
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from witness_support import create_app  # noqa: E402
from witness_support.auth.models import User  # noqa: E402
from witness_support.db import today_utc  # noqa: E402
from witness_support.extensions import db  # noqa: E402
from witness_support.ledger import operations  # noqa: E402
from witness_support.witnesses.models import Witness  # noqa: E402


def main() -> None:
    actor_id, witness_id, count = (int(a) for a in sys.argv[1:4])
    app = create_app()
    with app.app_context():
        for n in range(count):
            operations.record_benefit(
                db.session.get(User, actor_id), db.session.get(Witness, witness_id), kind="subsistence",
                description=f"Weekly food allowance {os.getpid()}-{n}", provided_on=today_utc(),
                provider="Invented Shelter Foundation",
                rationale="The witness has no income while living in the shelter.", amount="40.00", currency="USD",
            )
            db.session.commit()  # one transaction per append, as a web request would
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()

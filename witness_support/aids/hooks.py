"""How the aids area reacts to the cases and witnesses packages (connected at app start-up): a
child who joins a case, or a witness who becomes a child, gets the child set of aids proposed.

The receivers run inside the sender's operation and transaction and only propose rows.
"""

from __future__ import annotations

from typing import Any

from ..cases.models import Journey
from ..cases.signals import journey_started
from ..witnesses.models import Witness
from ..witnesses.signals import child_status_changed
from .operations import propose_child_aids


def _journey_started(journey: Journey, *, actor: Any = None, **_: Any) -> None:
    propose_child_aids(actor, journey.witness, journey.case)


def _child_status_changed(witness: Witness, *, actor: Any = None, **_: Any) -> None:
    propose_child_aids(actor, witness)


def connect() -> None:
    journey_started.connect(_journey_started, weak=False)
    child_status_changed.connect(_child_status_changed, weak=False)

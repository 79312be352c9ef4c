"""A small bounded, thread-safe LRU map for values a worker derives and may keep (the calendar
feed's serialised events and time zones, feeds/ical.py). A cache earns its place only while the
bench shows it pays (docs/performance.md)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class LRUCache:
    """A small thread-safe LRU map (workers may serve several requests at once in threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def discard(self, matches: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key `matches`."""
        with self._lock:
            for key in [k for k in self._data if matches(k)]:
                del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

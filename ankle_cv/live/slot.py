"""A one-slot buffer between a producer and a consumer: only the newest item is kept.

The capture thread puts every frame; the consumer takes whatever is newest when it is ready
for one. A frame nobody took before the next one arrived is dropped (and counted), never
queued, so a slow consumer sees the present, not a growing backlog.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Holds at most one item; :meth:`put` replaces it, :meth:`take` empties it.

    Attributes
    ----------
    put_count : int
        Items put since creation.
    dropped : int
        Items replaced before they were taken.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self.put_count = 0
        self.dropped = 0

    def put(self, item: T) -> None:
        """Store ``item``, replacing (dropping) an item not yet taken."""
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.put_count += 1
            self._cond.notify_all()

    def take(self, timeout_s: float | None = None) -> T | None:
        """The newest item, waiting up to ``timeout_s`` for one; None on timeout or when the
        slot is closed and empty."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout_s)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        """No more items will come: wake a waiting consumer (an item still held can be taken)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        """Closed and empty: nothing more to take."""
        with self._cond:
            return self._closed and self._item is None

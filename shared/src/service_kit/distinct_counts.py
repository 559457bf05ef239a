"""Counting distinct keys per subject over a sliding window, in bounded memory.

The guessing limit counts the different tokens each client address uses, and the
config service the different users read: in both, the same key again and again is
free, and only a new key past `limit` within `window` seconds is refused. A key
stays counted for `window` seconds after its last use.

Memory is bounded: at most `limit` keys per subject, and at most `max_keys` keys
in all; past that the least recently active subjects are forgotten first. A
forgotten subject starts counting again from nothing, so the bound must sit well
above what honest use needs (the defaults hold 200,000 keys in a few tens of MiB).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class DistinctCounter:
    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 200_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        # subject -> (key -> last use), both least recently used first
        self._seen: OrderedDict[str, OrderedDict[str, float]] = OrderedDict()
        self._keys = 0
        self._lock = threading.Lock()  # the config service is one event loop; tests use threads

    def admit(self, subject: str, key: str) -> int | None:
        """Count `key` for `subject`: None if admitted, else the seconds until it would be."""
        now = self._clock()
        with self._lock:
            keys = self._seen.pop(subject, None) or OrderedDict()
            self._seen[subject] = keys  # most recently active last
            while keys and next(iter(keys.values())) <= now - self.window:
                keys.popitem(last=False)
                self._keys -= 1
            if key in keys:
                keys[key] = now
                keys.move_to_end(key)
                return None
            if len(keys) >= self.limit:
                oldest = next(iter(keys.values()))
                return max(1, int(oldest + self.window - now) + 1)
            keys[key] = now
            self._keys += 1
            self._forget_beyond_bound(subject)
            return None

    def _forget_beyond_bound(self, current: str) -> None:
        while self._keys > self._max_keys:
            subject, keys = next(iter(self._seen.items()))
            if subject == current:  # one subject alone over the bound: drop its oldest
                keys.popitem(last=False)
                self._keys -= 1
                continue
            del self._seen[subject]
            self._keys -= len(keys)

    def __len__(self) -> int:
        """The keys held now, in all subjects."""
        return self._keys

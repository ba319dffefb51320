"""The simulator's rate limiter: weight per second per IP and per account, 429 and bans (docs 4)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class Limiter:
    """Sliding one-second windows keyed by 'ip:<addr>' / 'account:<key>'; a breach bans the key."""

    def __init__(self, limit: float, ban_seconds: float, ban_extend_seconds: float) -> None:
        self.limit, self.ban_seconds, self.ban_extend = limit, ban_seconds, ban_extend_seconds
        self._spent: dict[str, deque[tuple[float, float]]] = defaultdict(deque)
        self._banned_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self.bans = 0
        self.extensions = 0

    def admit(self, keys: list[str], weight: float) -> bool:
        """Count one request against every key; False (and a ban) when any budget is exceeded."""
        now = time.monotonic()
        with self._lock:
            banned = [k for k in keys if self._banned_until.get(k, 0) > now]
            if banned:
                for key in banned:  # each request sent into a ban lengthens it
                    self._banned_until[key] += self.ban_extend
                    self.extensions += 1
                return False
            over = []
            for key in keys:
                window = self._spent[key]
                while window and window[0][0] <= now - 1.0:
                    window.popleft()
                window.append((now, weight))
                if sum(w for _, w in window) > self.limit:
                    over.append(key)
            for key in over:
                self._banned_until[key] = now + self.ban_seconds
                self.bans += 1
            return not over

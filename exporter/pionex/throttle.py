"""Client-side weight throttle: two sliding one-second budgets (per IP, per account) and ban waits.

Each request is booked at the moment its reply (or failure) arrived, which is never earlier than
the moment the server counted it; a new request waits until both budgets have room measured from
those booking times, so the server's own window can never see more than the limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 1.0
# Covers clock granularity between our monotonic clock and the server's.
MARGIN_SECONDS = 0.02


class Budget:
    """Weight spent in the last window, as (booked_at, weight) pairs."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._spent: deque[tuple[float, float]] = deque()

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - WINDOW_SECONDS - MARGIN_SECONDS:
            self._spent.popleft()

    def wait_for(self, weight: float, now: float) -> float:
        """Seconds to wait before `weight` more fits."""
        self._expire(now)
        used = sum(w for _, w in self._spent)
        if used + weight <= self.limit:
            return 0.0
        # Drop the oldest bookings until it fits; wait until the last dropped one expires.
        excess = used + weight - self.limit
        for booked_at, w in self._spent:
            excess -= w
            if excess <= 0:
                return max(0.0, booked_at + WINDOW_SECONDS + MARGIN_SECONDS - now)
        return WINDOW_SECONDS + MARGIN_SECONDS

    def book(self, weight: float, at: float) -> None:
        self._spent.append((at, weight))


class Throttle:
    """Blocks until a request of a given weight fits both budgets and no ban is running."""

    def __init__(
        self,
        ip_limit: float = 10.0,
        account_limit: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        self.ip = Budget(ip_limit)
        self.account = Budget(account_limit)
        self._clock, self._sleep, self._on_wait = clock, sleep, on_wait
        self._banned_until = 0.0
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def _budgets(self, private: bool) -> list[Budget]:
        return [self.ip, self.account] if private else [self.ip]

    def acquire(self, weight: float, private: bool) -> None:
        with self._lock:
            while True:
                now = self._clock()
                delay = self._banned_until - now
                reason = "ban"
                if delay <= 0:
                    delay = max(b.wait_for(weight, now) for b in self._budgets(private))
                    reason = "rate limit"
                if delay <= 0:
                    return
                if self._on_wait:
                    self._on_wait(delay, reason)
                self.waited_seconds += delay
                self._sleep(delay)

    def book(self, weight: float, private: bool) -> None:
        with self._lock:
            now = self._clock()
            for budget in self._budgets(private):
                budget.book(weight, now)

    def ban(self, seconds: float) -> None:
        """Send nothing for `seconds`: every request during a ban would lengthen it."""
        with self._lock:
            self._banned_until = max(self._banned_until, self._clock() + seconds)

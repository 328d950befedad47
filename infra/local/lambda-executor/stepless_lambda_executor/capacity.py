"""Caps on live execution environments (host processes), per function and overall.

LocalStack starts a new environment whenever every environment of a function is busy, and keeps each
one alive for ``LAMBDA_KEEPALIVE_MS`` after its last invocation; with one ~150 MB ``node`` process per
environment, a burst of concurrent invocations across a dozen functions left over a hundred
processes alive. Here a new environment starts only while its function has fewer than
``STEPLESS_LAMBDA_MAX_ENVIRONMENTS_PER_FUNCTION`` and all functions together fewer than
``STEPLESS_LAMBDA_MAX_ENVIRONMENTS``. At a cap, the least recently used idle environment (of the same
function when the per-function cap binds, else of any function) is stopped to make room; with none
idle, the start waits for one, up to ``STEPLESS_LAMBDA_ENVIRONMENT_WAIT_MS``, and then fails the
invocation (a 5xx the caller retries). Keep LocalStack's account concurrency limit
(``LAMBDA_LIMITS_CONCURRENT_EXECUTIONS``) at or below the overall cap: excess invocations are then
throttled with a real 429 before they ever wait here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable, Protocol

LOG = logging.getLogger(__name__)


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}")
    return value


class Environment(Protocol):
    """What the pool needs of an executor."""

    id: str

    def function_key(self) -> str: ...

    def is_idle(self) -> bool: ...

    def idle_since(self) -> float: ...

    def evict(self) -> bool:
        """Asks LocalStack to stop this environment if it is idle; True when it was stopped."""
        ...


class EnvironmentPool:
    """Counts live environments and admits new ones within the caps (thread-safe)."""

    def __init__(self, per_function: int, total: int, wait_s: float) -> None:
        self.per_function = per_function
        self.total = total
        self.wait_s = wait_s
        self._cond = threading.Condition()
        self._live: dict[str, Environment] = {}
        self.peak = 0
        self.evictions = 0

    @classmethod
    def from_environment(cls) -> "EnvironmentPool":
        return cls(
            per_function=_positive_int("STEPLESS_LAMBDA_MAX_ENVIRONMENTS_PER_FUNCTION", 12),
            total=_positive_int("STEPLESS_LAMBDA_MAX_ENVIRONMENTS", 24),
            wait_s=_positive_int("STEPLESS_LAMBDA_ENVIRONMENT_WAIT_MS", 10000) / 1000,
        )

    def live_count(self) -> int:
        with self._cond:
            return len(self._live)

    def admit(self, env: Environment, cancelled: Callable[[], bool]) -> None:
        """Registers ``env`` as live once the caps allow it; raises TimeoutError (or on ``cancelled()``) otherwise."""
        deadline = time.monotonic() + self.wait_s
        key = env.function_key()
        while True:
            with self._cond:
                same = [e for e in self._live.values() if e.function_key() == key]
                if len(same) < self.per_function and len(self._live) < self.total:
                    self._live[env.id] = env
                    self.peak = max(self.peak, len(self._live))
                    return
                # Which environments may make room: the function's own when its cap binds, else any.
                pool = same if len(same) >= self.per_function else list(self._live.values())
                candidates = sorted((e for e in pool if e.is_idle()), key=lambda e: e.idle_since())
            # Evicting calls back into release(), which takes the lock: do it outside.
            if any(self._evict(candidate) for candidate in candidates):
                continue
            if cancelled():
                raise TimeoutError("the environment was stopped while waiting for capacity")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{len(same)} environments of this function (cap {self.per_function}) and "
                    f"{self.live_count()} in all (cap {self.total}) are busy; none became idle within {self.wait_s:.0f} s"
                )
            with self._cond:
                self._cond.wait(min(0.1, remaining))

    def _evict(self, env: Environment) -> bool:
        if not env.evict():
            return False
        with self._cond:
            self.evictions += 1
        LOG.debug("evicted idle environment %s of %s to make room", env.id, env.function_key())
        return True

    def release(self, env: Environment) -> None:
        with self._cond:
            if self._live.pop(env.id, None) is not None:
                self._cond.notify_all()

    def notify_idle(self) -> None:
        """An environment finished an invocation: a waiting start may now evict it."""
        with self._cond:
            self._cond.notify_all()

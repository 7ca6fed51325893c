"""Faults a run can inject: ``--faults SPEC`` and ``Sandbox(faults=SPEC)``.

SPEC is a comma-separated list of ``name[=value][@path]``:

=================  ========================================================================
``latency=MS``     every answer waits MS milliseconds
``500=P``          answer HTTP 500 with probability P (0..1)
``503=P``          answer HTTP 503 (PACER's maintenance page) with probability P
``drop=P``         close the connection without answering, with probability P
``truncate=P``     send only the first half of the body (the connection then closes)
``429=N``          rate limit: at most N requests a second per client, then HTTP 429 + Retry-After
``slow=MS``        docket reports wait MS milliseconds per 1,000 entries (very slow huge dockets)
``login-outage``   the login service answers HTTP 503 (``login-outage=P`` for a probability)
=================  ========================================================================

``@path`` limits a fault to request paths containing that text (``500=1@DktRpt``).  Random draws
come from the run's seed, so a run with the same seed and requests sees the same faults.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

NAMES = ("latency", "500", "503", "drop", "truncate", "429", "slow", "login-outage")


class FaultSpecError(ValueError):
    """A --faults SPEC that does not parse; the message says which part."""


@dataclass
class Fault:
    name: str
    value: float
    path: str | None = None

    def applies(self, path: str) -> bool:
        return self.path is None or self.path in path


@dataclass
class Faults:
    faults: list[Fault] = field(default_factory=list)
    seed: int = 0

    def __post_init__(self):
        self._rng = random.Random(f"faults:{self.seed}")
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # client -> (second, count)

    @classmethod
    def parse(cls, spec: str | None, seed: int = 0) -> "Faults":
        faults = []
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            path = None
            if "@" in part:
                part, path = part.split("@", 1)
            name, _, value = part.partition("=")
            name = name.strip().lower().replace("_", "-")
            if name not in NAMES:
                raise FaultSpecError(f"unknown fault {name!r} (known: {', '.join(NAMES)})")
            if not value:
                value = "1"
            try:
                number = float(value)
            except ValueError:
                raise FaultSpecError(f"fault {name!r}: {value!r} is not a number") from None
            if name in ("500", "503", "drop", "truncate", "login-outage") and not 0 <= number <= 1:
                raise FaultSpecError(f"fault {name!r}: probability {number} is not between 0 and 1")
            faults.append(Fault(name, number, path or None))
        return cls(faults, seed)

    def __str__(self) -> str:
        return ",".join(f"{f.name}={f.value:g}" + (f"@{f.path}" if f.path else "") for f in self.faults)

    def _get(self, name: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.name == name and fault.applies(path):
                return fault
        return None

    def value(self, name: str, path: str, default: float = 0.0) -> float:
        fault = self._get(name, path)
        return fault.value if fault else default

    def draw(self, name: str, path: str) -> bool:
        """True when the fault ``name`` strikes this request."""
        fault = self._get(name, path)
        if fault is None or fault.value <= 0:
            return False
        if fault.value >= 1:
            return True
        with self._lock:
            return self._rng.random() < fault.value

    def rate_limited(self, client: str, path: str) -> bool:
        limit = self.value("429", path)
        if limit <= 0:
            return False
        second = int(time.monotonic())
        with self._lock:
            window, count = self._windows.get(client, (second, 0))
            if window != second:
                window, count = second, 0
            count += 1
            self._windows[client] = (window, count)
            return count > limit

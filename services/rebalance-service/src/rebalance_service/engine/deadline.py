"""The time a plan must be done by, on a clock the caller lends.

Without one the engine reads no clock and the same problem always gives the same
plan. With one, every HiGHS run is given what is left (`time_limit`), the Python
loops that polish a plan check it between rounds, and the first to find it passed
marks it `hit`: the plan is then the best found so far, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

Clock = Callable[[], float]  # seconds, monotonic


class Deadline:
    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.at = clock() + seconds
        self.hit = False  # some step stopped short because the time was up

    def left(self) -> float:
        return max(0.0, self.at - self.clock())

    def passed(self) -> bool:
        if not self.hit and self.clock() >= self.at:
            self.hit = True
        return self.hit

    def reason(self) -> str:
        return f"stopped at the {Decimal(repr(self.seconds)).normalize():f} s time limit"


def passed(deadline: Deadline | None) -> bool:
    return deadline is not None and deadline.passed()

"""What a page turned out to be when it is not the report that was asked for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageProblem:
    """A page that is not the report asked for: ``kind`` is a short code, ``reason`` one line."""

    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class NotTheReport(Exception):
    """Raised by a parser when the page is not the report it parses; carries the PageProblem."""

    def __init__(self, problem: PageProblem):
        super().__init__(str(problem))
        self.problem = problem

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

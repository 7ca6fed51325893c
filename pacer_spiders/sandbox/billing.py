"""PACER's fee rules and the sandbox's per-account ledger."""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

BYTES_PER_PAGE = 4320
PRICE_PER_PAGE = 0.10
MAX_PAGES = 30  # one document or case report never costs more than $3.00


def billable_pages(html_bytes: int | None = None, pages: int | None = None) -> int:
    """Pages PACER bills: HTML at 4,320 bytes a page (at least one), PDFs by their pages; cap 30."""
    if pages is None:
        pages = max(1, math.ceil((html_bytes or 0) / BYTES_PER_PAGE))
    return min(max(0, pages), MAX_PAGES)


def cost_of(pages: int) -> float:
    return round(pages * PRICE_PER_PAGE, 2)


@dataclass
class Charge:
    login: str
    client_code: str
    court_id: str
    report: str  # docket | history | document
    description: str
    criteria: str
    pages: int
    cost: float
    url: str
    pacer_case_id: str | None = None
    pacer_doc_id: str | None = None
    at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class Ledger:
    """Every charge of the run, in order; thread-safe.  ``sb.ledger`` and GET /__sandbox__/ledger."""

    def __init__(self):
        self._charges: list[Charge] = []
        self._lock = threading.Lock()

    def record(self, charge: Charge) -> Charge:
        charge.at = charge.at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._charges.append(charge)
        return charge

    @property
    def charges(self) -> list[Charge]:
        with self._lock:
            return list(self._charges)

    def __iter__(self):
        return iter(self.charges)

    def __len__(self) -> int:
        return len(self.charges)

    def for_account(self, login: str) -> list[Charge]:
        return [c for c in self.charges if c.login == login]

    def total(self, login: str | None = None) -> float:
        return round(sum(c.cost for c in self.charges if login is None or c.login == login), 2)

    def pages(self, login: str | None = None) -> int:
        return sum(c.pages for c in self.charges if login is None or c.login == login)

    def clear(self) -> None:
        with self._lock:
            self._charges.clear()

    def as_json(self, login: str | None = None) -> dict:
        """Charges (of one account when ``login`` is given), per-account totals and the total."""
        charges = [c for c in self.charges if login is None or c.login == login]
        accounts: dict[str, dict] = {}
        for charge in charges:
            row = accounts.setdefault(charge.login, {"charges": 0, "pages": 0, "cost": 0.0})
            row["charges"] += 1
            row["pages"] += charge.pages
            row["cost"] = round(row["cost"] + charge.cost, 2)
        return {"charges": [c.as_dict() for c in charges], "accounts": accounts,
                "total_cost": round(sum(c.cost for c in charges), 2)}

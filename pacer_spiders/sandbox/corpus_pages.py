"""Real PACER pages of a corpus folder served as cases of their courts (``--corpus DIR``).

Docket reports (``dockets/district``, ``dockets/bankruptcy``) become cases: their pacer_case_id is
the one their ``goDLS`` links carry (or a made-up one from 700001 up where the page has none).
Attachment pages (``attachment_pages``) answer ``doc1`` for their document id; history reports
(``docket_history_reports``) and case queries (``case_queries``) answer ``HistDocQry.pl`` and
``iquery.pl`` for the case id in their file name (``azd_1067816.html``) or their links.  Appellate
CM/ECF dockets (``dockets/appellate``) answer ``CaseSummary.jsp?caseNum=`` for the docket number
their expected JSON gives (the first page of a number wins).  The pages are read from the folder
when asked for, never copied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pacer_spiders.courts import UnknownCourtError, get_court
from pacer_spiders.testing.corpus import court_of

_GODLS_CASE = re.compile(rb"goDLS\('/doc1/\d+','(\d+)'")
_CASEID = re.compile(rb"caseid=(\d+)")
_QUERY_CASEID = re.compile(rb"(?:DktRpt|HistDocQry|qryAlias)\.pl\?(\d+)")
FIRST_MADE_UP_ID = 700001


@dataclass
class CorpusDocket:
    court_id: str
    pacer_case_id: str
    docket_number: str
    case_name: str
    path: Path

    def body(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class CorpusAttachmentPage:
    court_id: str
    pacer_doc_id: str
    pacer_case_id: str
    path: Path

    def body(self) -> bytes:
        return self.path.read_bytes()


class CorpusPages:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"corpus folder {self.root} does not exist")
        self.dockets: dict[tuple[str, str], CorpusDocket] = {}
        self.attachment_pages: dict[tuple[str, str], CorpusAttachmentPage] = {}
        made_up = FIRST_MADE_UP_ID
        for folder in ("dockets/district", "dockets/bankruptcy"):
            for page in sorted((self.root / folder).glob("*.htm*")):
                court_id, data = self._court(page), self._expected(page)
                if court_id is None or not data:
                    continue  # no expected reading, or a "not a docket" page
                head = page.read_bytes()
                match = _GODLS_CASE.search(head) or _CASEID.search(head)
                case_id = match.group(1).decode() if match else None
                if not case_id or (court_id, case_id) in self.dockets:
                    case_id = str(made_up)
                    made_up += 1
                self.dockets[(court_id, case_id)] = CorpusDocket(
                    court_id, case_id, data.get("docket_number") or "", data.get("case_name") or "", page)
        self.appellate_dockets: dict[tuple[str, str], CorpusDocket] = {}
        for page in sorted((self.root / "dockets/appellate").glob("*.htm*")):
            court_id, data = self._court(page), self._expected(page)
            if court_id and data.get("docket_number") and data.get("docket_entries"):
                number = data["docket_number"]
                self.appellate_dockets.setdefault((court_id, number), CorpusDocket(
                    court_id, "", number, data.get("case_name") or "", page))
        self.histories = self._by_case_id("docket_history_reports")
        self.case_queries = self._by_case_id("case_queries")
        for page in sorted((self.root / "attachment_pages").glob("*.htm*")):
            court_id, data = self._court(page), self._expected(page)
            doc_id = str(data.get("pacer_doc_id") or "")
            if court_id is None:
                continue
            if doc_id:
                self.attachment_pages[(court_id, doc_id)] = CorpusAttachmentPage(
                    court_id, doc_id, str(data.get("pacer_case_id") or ""), page)

    def _by_case_id(self, folder: str) -> dict[tuple[str, str], Path]:
        """Report pages keyed by (court, case id): the digits after ``_`` in the name, else the page's links."""
        pages: dict[tuple[str, str], Path] = {}
        for page in sorted((self.root / folder).glob("*.htm*")):
            court_id = self._court(page)
            if court_id is None or not self._expected(page):
                continue
            suffix = page.stem.partition("_")[2]
            match = None if suffix.isdigit() and len(suffix) >= 4 else _QUERY_CASEID.search(page.read_bytes())
            case_id = suffix if match is None and suffix.isdigit() else (match.group(1).decode() if match else None)
            if case_id:
                pages.setdefault((court_id, case_id), page)
        return pages

    @staticmethod
    def _expected(page: Path) -> dict:
        """The page's expected JSON beside it ({} when absent or empty: a page that is no report)."""
        expected = page.with_suffix(".json")
        return (json.loads(expected.read_text(encoding="utf-8") or "{}") or {}) if expected.exists() else {}

    @staticmethod
    def _court(page: Path) -> str | None:
        try:
            return get_court(court_of(page)).court_id
        except UnknownCourtError:
            return None

    def docket(self, court_id: str, pacer_case_id: str) -> CorpusDocket | None:
        return self.dockets.get((court_id, str(pacer_case_id)))

    def appellate_docket(self, court_id: str, docket_number: str) -> CorpusDocket | None:
        return self.appellate_dockets.get((court_id, docket_number.strip()))

    def history(self, court_id: str, pacer_case_id: str) -> Path | None:
        return self.histories.get((court_id, str(pacer_case_id)))

    def case_query(self, court_id: str, pacer_case_id: str) -> Path | None:
        return self.case_queries.get((court_id, str(pacer_case_id)))

    def attachment_page(self, court_id: str, doc_id: str) -> CorpusAttachmentPage | None:
        return self.attachment_pages.get((court_id, doc_id))

    def by_number(self, court_id: str, year: int, serial: int) -> list[CorpusDocket]:
        found = []
        for (court, _), docket in self.dockets.items():
            match = re.match(r"(?:\d+:)?(\d{2})-[a-z]{2,4}-(\d+)", docket.docket_number)
            if court == court_id and match and int(match.group(1)) == year % 100 and int(match.group(2)) == serial:
                found.append(docket)
        return found

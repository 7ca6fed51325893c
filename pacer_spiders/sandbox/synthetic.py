"""The deterministic synthetic PACER: courts x cases x entries x attachments, from a seed.

Every case is generated on first use from ``Random(f"{seed}:{court}:{case}")``, so the same seed
gives the same cases, and a 10,000-entry docket costs nothing until it is asked for.  The data
model uses the juriscraper / CourtListener field names, so tests can compare what a parser reads
with what was put in the page.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from pacer_spiders.courts import Court, get_court

FIRST_CASE_ID = 100001
MAX_CASES_PER_COURT = 999  # document ids hold the case index in 3 digits
# Courts of appeals show their synthetic cases as appeals (sandbox/appellate.py).
SIMULATED_KINDS = ("district", "bankruptcy", "appellate")

_FIRST = ["Maria", "James", "Linh", "Omar", "Grace", "Pedro", "Aisha", "Tomasz", "Keiko", "Samuel",
          "Ruth", "Dmitri", "Fatima", "Henry", "Ines", "Jonas", "Carla", "Victor", "Nadia", "Elliot"]
_LAST = ["Alvarez", "Brennan", "Chowdhury", "Dubois", "Eriksen", "Fontaine", "Gallagher", "Haddad",
         "Ivanova", "Jaramillo", "Kowalski", "Lindqvist", "Mbeki", "Nakamura", "Okafor", "Petrov",
         "Quintero", "Rasmussen", "Szabo", "Takahashi"]
_COMPANIES = ["Acme Freight LLC", "Blue Ridge Holdings, Inc.", "Cobalt Mutual Insurance Co.",
              "Delta Orchard Farms", "Evergreen Logistics Corp.", "Fairview Medical Group",
              "Granite State Bank", "Harbor Lights Hotels LP", "Ironwood Software, Inc.",
              "Juniper Energy Partners"]
_JUDGES = [("Eleanor M. Whitcomb", "EMW"), ("Robert J. Castellano", "RJC"), ("Priya N. Raman", "PNR"),
           ("Thomas A. Holloway", "TAH"), ("Gloria S. Ybarra", "GSY"), ("Marcus D. Feld", "MDF")]
_MAGISTRATES = [("Hannah K. Osei", "HKO"), ("Walter P. Lund", "WPL"), ("Irene T. Moss", "ITM")]
_NOS = ["110 Insurance", "190 Contract: Other", "440 Civil Rights: Other", "830 Patent",
        "890 Other Statutory Actions", "362 Personal Inj. Med. Malpractice", "710 Labor: Fair Standards"]
_CAUSES = ["28:1332 Diversity-Breach of Contract", "42:1983 Civil Rights Act", "35:271 Patent Infringement",
           "29:201 Fair Labor Standards Act", "28:2201 Declaratory Judgment"]
_JURISDICTION = {"28:1332": "Diversity", "42:1983": "Federal Question", "35:271": "Federal Question",
                 "29:201": "Federal Question", "28:2201": "Diversity"}
_CIVIL_EVENTS = ["COMPLAINT against {d} filed by {p}.", "SUMMONS Issued as to {d}.",
                 "ANSWER to Complaint by {d}.", "MOTION to Dismiss by {d}.",
                 "MEMORANDUM in Opposition re Motion to Dismiss filed by {p}.",
                 "ORDER granting in part and denying in part Motion to Dismiss.",
                 "NOTICE of Appearance by attorney on behalf of {d}.", "SCHEDULING ORDER.",
                 "STIPULATION of Dismissal by {p}.", "DECLARATION in Support filed by {p}.",
                 "MOTION for Summary Judgment by {p}.", "TRANSCRIPT of Proceedings held before the Court."]
_CRIMINAL_EVENTS = ["INDICTMENT as to {d}.", "ARREST WARRANT Returned Executed as to {d}.",
                    "ORDER OF DETENTION PENDING TRIAL as to {d}.", "MOTION to Suppress by {d}.",
                    "PLEA AGREEMENT as to {d}.", "JUDGMENT as to {d}.", "NOTICE OF ATTORNEY APPEARANCE for {d}."]
_BANKRUPTCY_EVENTS = ["Chapter {c} Voluntary Petition. Filed by {p}.", "Meeting of Creditors Chapter {c}.",
                      "Schedules A/B-J and Statement of Financial Affairs Filed by {p}.",
                      "Motion for Relief from Stay Filed by {d}.", "Objection to Claim Filed by {p}.",
                      "Order Confirming Chapter {c} Plan.", "Certificate of Service Filed by {p}.",
                      "Notice of Appearance and Request for Notice Filed by {d}."]
_MINUTE_EVENTS = ["Minute Entry for proceedings held before the Court: Status Conference held.",
                  "Set/Reset Hearings: Motion Hearing set.", "Clerk's Notice of docket correction.",
                  "Minute Order: the hearing is continued."]
_ATTACHMENT_NAMES = ["Exhibit A", "Exhibit B", "Declaration", "Proposed Order", "Certificate of Service",
                     "Affidavit", "Civil Cover Sheet", "Summons"]


@dataclass
class Attachment:
    attachment_number: int
    pacer_doc_id: str
    description: str
    page_count: int

    @property
    def file_size_str(self) -> str:
        return f"{self.page_count * 17} kb"


@dataclass
class Entry:
    pacer_seq_no: int
    document_number: int | None
    date_filed: date
    date_entered: date
    short_description: str
    text: str  # the docket text without the "(Entered: ...)" PACER appends
    pacer_doc_id: str | None = None  # also set for sealed entries (whose docket line has no link)
    page_count: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    sealed: bool = False  # the entry is on the docket but its document is sealed
    restricted: bool = False  # the document exists but only parties may view it
    unavailable: bool = False  # the document image is not available

    @property
    def description(self) -> str:
        return f"{self.text} (Entered: {self.date_entered:%m/%d/%Y})"

    @property
    def document_id(self) -> str:
        """The document id of an entry that has a document (the pages that link or list it)."""
        assert self.pacer_doc_id is not None, f"entry {self.pacer_seq_no} has no document"
        return self.pacer_doc_id


@dataclass
class Attorney:
    name: str
    contact: str
    roles: list[str]


@dataclass
class Party:
    name: str
    type: str
    extra_info: str = ""
    date_terminated: date | None = None
    attorneys: list[Attorney] = field(default_factory=list)


@dataclass
class Case:
    court: Court
    pacer_case_id: str
    kind: str  # civil | criminal | bankruptcy | adversary
    office: int
    year: int
    case_type: str  # cv, cr, bk, ap
    serial: int
    case_name: str
    date_filed: date
    date_terminated: date | None
    assigned_to: tuple[str, str]
    referred_to: tuple[str, str] | None
    cause: str = ""
    nature_of_suit: str = ""
    jury_demand: str = ""
    demand: str = ""
    jurisdiction: str = ""
    chapter: str = ""
    parties: list[Party] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    defendants: list[str] = field(default_factory=list)  # criminal: defendant names, numbered from 1
    sealed: bool = False
    lead_case: "Case | None" = None  # adversary proceeding: its bankruptcy case
    next_serial: int = 1  # next document-id serial
    last_number: int = 0  # highest document number so far

    @property
    def court_id(self) -> str:
        return self.court.court_id

    @property
    def docket_number(self) -> str:
        """CourtListener's docket number: ``1:23-cv-00042`` (no judge initials)."""
        return f"{self.office}:{self.year % 100:02d}-{self.case_type}-{self.serial:05d}"

    @property
    def judge_initials(self) -> str:
        initials = self.assigned_to[1]
        if self.referred_to:
            initials += "-" + self.referred_to[1]
        return initials

    @property
    def full_docket_number(self) -> str:
        """The number as PACER prints it in a district report: ``1:23-cv-00042-EMW``."""
        return f"{self.docket_number}-{self.judge_initials}"

    @property
    def display_number(self) -> str:
        """The number PACER prints in a report's heading and receipt."""
        return self.short_number if self.kind == "bankruptcy" else self.full_docket_number

    @property
    def short_number(self) -> str:
        """The bankruptcy form PACER prints: ``23-10042``."""
        return f"{self.year % 100:02d}-{self.serial:05d}"

    @property
    def is_bankruptcy(self) -> bool:
        return self.kind in ("bankruptcy", "adversary")

    def entry_by_doc_id(self, doc_id: str):
        """(entry, attachment or None) whose document id is ``doc_id`` (fourth digit 0)."""
        index = self.__dict__.get("_doc_index")
        if index is None or index[0] != len(self.entries):  # rebuilt when entries were added
            documents: dict[str, tuple[Entry, Attachment | None]] = {}
            for entry in self.entries:
                if entry.pacer_doc_id:
                    documents[entry.pacer_doc_id] = (entry, None)
                for attachment in entry.attachments:
                    documents[attachment.pacer_doc_id] = (entry, attachment)
            index = self.__dict__["_doc_index"] = (len(self.entries), documents)
        return index[1].get(doc_id)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _attorney(rng: random.Random, court: Court) -> Attorney:
    name = _person(rng)
    last = name.split()[-1]
    firm = f"{last} & {rng.choice(_LAST)} LLP"
    contact = (f"{firm}\n{rng.randint(100, 9999)} Main Street\nSuite {rng.randint(100, 900)}\n"
               f"Springfield, ST {rng.randint(10000, 99999)}\n{rng.randint(200, 989)}-555-{rng.randint(1000, 9999)}\n"
               f"Email: {name.split()[0].lower()}.{last.lower()}@example.com\n")
    roles = rng.choice([["LEAD ATTORNEY", "ATTORNEY TO BE NOTICED"], ["ATTORNEY TO BE NOTICED"],
                        ["LEAD ATTORNEY", "PRO HAC VICE", "ATTORNEY TO BE NOTICED"]])
    return Attorney(name=name, contact=contact, roles=roles)


class SyntheticCourtData:
    """All synthetic cases of every court, generated lazily and thread-safely."""

    def __init__(self, seed: int = 0, cases_per_court: int = 40, entries: tuple[int, int] = (4, 40),
                 case_sizes: dict | None = None):
        self.seed = seed
        self.cases_per_court = min(cases_per_court, MAX_CASES_PER_COURT)
        self.entries_range = entries
        # {(court_id, pacer_case_id): entry count} for cases of a chosen size (10,000-entry dockets...)
        self.case_sizes = {(c, str(i)): n for (c, i), n in (case_sizes or {}).items()}
        self._cases: dict[tuple[str, str], Case] = {}
        self._extra: dict[str, int] = {}  # court -> number of cases added at runtime
        self._lock = threading.RLock()
        self._courts: dict[str, Court] = {}

    # -- catalogue -------------------------------------------------------------------------
    def court(self, court_id: str) -> Court:
        """The registry's court (cached: the registry asks every plugin)."""
        court = self._courts.get(court_id)
        if court is None:
            court = self._courts[court_id] = get_court(court_id)
        return court

    def case_count(self, court_id: str) -> int:
        return self.cases_per_court + self._extra.get(court_id, 0)

    def case_ids(self, court_id: str) -> list[str]:
        if self.court(court_id).kind not in SIMULATED_KINDS:
            return []
        return [str(FIRST_CASE_ID + k) for k in range(self.case_count(court_id))]

    def get_case(self, court_id: str, pacer_case_id: str) -> Case | None:
        key = (court_id, str(pacer_case_id))
        case = self._cases.get(key)
        if case is not None:
            return case
        try:
            index = int(pacer_case_id) - FIRST_CASE_ID
        except (TypeError, ValueError):
            return None
        if not 0 <= index < self.case_count(court_id):
            return None
        court = self.court(court_id)
        if court.kind not in SIMULATED_KINDS:
            return None
        with self._lock:
            if key not in self._cases:
                self._cases[key] = self._generate(court, index)
            return self._cases[key]

    def cases(self, court_id: str):
        for case_id in self.case_ids(court_id):
            yield self.get_case(court_id, case_id)

    def find_document(self, court_id: str, doc_id: str):
        """(case, entry, attachment|None) of a document id (fourth digit 0), or None."""
        if len(doc_id) < 8 or not doc_id.isdigit():
            return None
        index = int(doc_id[4:7]) if len(doc_id) == 12 else -1
        case = self.get_case(court_id, str(FIRST_CASE_ID + index)) if index >= 0 else None
        if case is None:
            return None
        found = case.entry_by_doc_id(doc_id)
        return (case, *found) if found else None

    # -- runtime additions -----------------------------------------------------------------
    def add_case(self, court_id: str, entries: int | None = None, kind: str | None = None) -> Case:
        if self.court(court_id).kind not in SIMULATED_KINDS:
            raise ValueError(f"{court_id}: the sandbox simulates district, bankruptcy and appellate courts only")
        with self._lock:
            index = self.case_count(court_id)
            if index >= MAX_CASES_PER_COURT:
                raise ValueError(f"{court_id}: at most {MAX_CASES_PER_COURT} cases a court")
            self._extra[court_id] = self._extra.get(court_id, 0) + 1
            case_id = str(FIRST_CASE_ID + index)
            if entries is not None:
                self.case_sizes[(court_id, case_id)] = entries
            case = self._generate(self.court(court_id), index, kind=kind)
            self._cases[(court_id, case_id)] = case
            return case

    def add_entries(self, court_id: str, pacer_case_id: str, count: int = 1, when: date | None = None) -> list[Entry]:
        """Append ``count`` new numbered entries (filed and entered ``when``, default the day after the last)."""
        case = self.get_case(court_id, pacer_case_id)
        if case is None:
            raise KeyError(f"no case {pacer_case_id} in {court_id}")
        with self._lock:
            rng = random.Random(f"{self.seed}:{court_id}:{pacer_case_id}:add:{len(case.entries)}")
            day = when or (max(e.date_entered for e in case.entries) + timedelta(days=1) if case.entries else case.date_filed)
            added = []
            for _ in range(count):
                entry = self._make_entry(case, rng, day, numbered=True, plain=True)
                case.entries.append(entry)
                added.append(entry)
            return added

    # -- generation ------------------------------------------------------------------------
    def _generate(self, court: Court, index: int, kind: str | None = None) -> Case:
        case_id = str(FIRST_CASE_ID + index)
        rng = random.Random(f"{self.seed}:{court.court_id}:{case_id}")
        bankruptcy = court.kind == "bankruptcy"
        if kind is None:
            if bankruptcy:
                kind = "adversary" if index % 4 == 3 else "bankruptcy"
            else:
                kind = "criminal" if index % 4 == 3 else "civil"
        # Cases 2j and 2j+1 share year and serial, so a bare "yy-nnnnn" names two cases (as on PACER).
        pair = index // 2
        year = 2016 + pair % 8
        # (Not at a court of appeals, whose docket numbers name one appeal each.)
        serial = (100 + (index if court.kind == "appellate" else pair)) if not bankruptcy else \
            (10000 + pair if kind == "bankruptcy" else 1000 + pair)
        office = 1 + index % 2 if kind != "criminal" else 1
        case_type = {"civil": "cv", "criminal": "cr", "bankruptcy": "bk", "adversary": "ap"}[kind]
        judge = rng.choice(_JUDGES)
        referred = rng.choice(_MAGISTRATES) if kind in ("civil", "criminal") and rng.random() < 0.5 else None
        filed = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
        terminated = filed + timedelta(days=rng.randint(200, 700)) if rng.random() < 0.3 else None
        case = Case(court=court, pacer_case_id=case_id, kind=kind, office=office, year=year, case_type=case_type,
                    serial=serial, case_name="", date_filed=filed, date_terminated=terminated,
                    assigned_to=judge, referred_to=referred)
        if kind == "civil":
            plaintiffs = [_person(rng) for _ in range(rng.randint(1, 2))]
            defendants = [rng.choice(_COMPANIES)] + [_person(rng) for _ in range(rng.randint(0, 2))]
            case.case_name = f"{plaintiffs[0].split()[-1]} v. {defendants[0]}" + (" et al" if len(defendants) > 1 else "")
            case.cause = rng.choice(_CAUSES)
            case.jurisdiction = _JURISDICTION[case.cause.split()[0]]
            case.nature_of_suit = rng.choice(_NOS)
            case.jury_demand = rng.choice(["Plaintiff", "Defendant", "Both", "None"])
            case.demand = rng.choice(["", "$75,000", "$1,000,000"])
            for name in plaintiffs:
                case.parties.append(Party(name=name, type="Plaintiff", attorneys=[_attorney(rng, court)]))
            for position, name in enumerate(defendants):
                party = Party(name=name, type="Defendant", attorneys=[_attorney(rng, court)] if rng.random() < 0.7 else [])
                if position and rng.random() < 0.4:
                    party.date_terminated = filed + timedelta(days=rng.randint(30, 200))
                case.parties.append(party)
        elif kind == "criminal":
            case.defendants = [_person(rng) for _ in range(rng.randint(2, 4))]
            case.case_name = f"USA v. {case.defendants[0].split()[-1]} et al"
            case.parties.append(Party(name="USA", type="Plaintiff", attorneys=[_attorney(rng, court)]))
            for number, name in enumerate(case.defendants, start=1):
                party = Party(name=name, type="Defendant", extra_info=f"({number})", attorneys=[_attorney(rng, court)])
                if number > 1 and rng.random() < 0.3:
                    party.date_terminated = filed + timedelta(days=rng.randint(60, 300))
                case.parties.append(party)
        elif kind == "bankruptcy":
            case.chapter = rng.choice(["7", "11", "13"])
            debtor = rng.choice(_COMPANIES) if case.chapter == "11" else _person(rng)
            case.case_name = debtor
            case.parties.append(Party(name=debtor, type="Debtor", extra_info="Tax ID / EIN: xx-xxx" + str(rng.randint(1000, 9999)),
                                      attorneys=[_attorney(rng, court)]))
            case.parties.append(Party(name=f"{_person(rng)}", type="Trustee"))
            case.parties.append(Party(name="U.S. Trustee", type="U.S. Trustee", attorneys=[_attorney(rng, court)]))
        else:  # adversary proceeding, in the bankruptcy case just before it
            if index > 0 and court.kind == "bankruptcy":
                lead = self.get_case(court.court_id, str(FIRST_CASE_ID + index - 1))
                case.lead_case = lead if lead is not None and lead.kind == "bankruptcy" else None
            plaintiff, defendant = rng.choice(_COMPANIES), _person(rng)
            case.case_name = f"{plaintiff} v. {defendant}"
            case.parties.append(Party(name=plaintiff, type="Plaintiff", attorneys=[_attorney(rng, court)]))
            case.parties.append(Party(name=defendant, type="Defendant", attorneys=[_attorney(rng, court)]))
        size = self.case_sizes.get((court.court_id, case_id))
        if size is None:
            size = rng.randint(*self.entries_range)
        day = filed
        for position in range(size):
            if position and rng.random() < 0.6:
                day += timedelta(days=rng.randint(1, 9) if size < 1000 else rng.randint(0, 1))
            minute = position > 0 and rng.random() < 0.12
            case.entries.append(self._make_entry(case, rng, day, numbered=not minute))
        return case

    def _doc_id(self, case: Case) -> str:
        prefix = case.court.doc_id_prefix or "999"
        index = int(case.pacer_case_id) - FIRST_CASE_ID
        serial = case.next_serial
        case.next_serial += 1
        if serial >= 100000:
            raise ValueError("more than 99,999 documents in one synthetic case")
        return f"{prefix}0{index:03d}{serial:05d}"

    def _make_entry(self, case: Case, rng: random.Random, day: date, numbered: bool, plain: bool = False) -> Entry:
        seq = (case.entries[-1].pacer_seq_no if case.entries else 0) + rng.randint(1, 3)
        entered = day + timedelta(days=1 if rng.random() < 0.2 else 0)
        parties = [p.name for p in case.parties]
        party_p = parties[0]
        party_d = parties[-1]
        if not numbered:
            text = rng.choice(_MINUTE_EVENTS)
            return Entry(pacer_seq_no=seq, document_number=None, date_filed=day, date_entered=entered,
                         short_description=text.split(":")[0], text=text)
        case.last_number += 1
        number = case.last_number
        events = {"civil": _CIVIL_EVENTS, "criminal": _CRIMINAL_EVENTS}.get(case.kind, _BANKRUPTCY_EVENTS)
        template = events[0] if number == 1 else rng.choice(events)
        text = template.format(p=party_p, d=party_d, c=case.chapter or "7")
        entry = Entry(pacer_seq_no=seq, document_number=number, date_filed=day, date_entered=entered,
                      short_description=text.split(" ")[0].title().rstrip("."), text=text)
        roll = 1.0 if plain else rng.random()
        entry.pacer_doc_id = self._doc_id(case)
        if roll < 0.04:
            # Sealed: numbered on the docket with no link; its doc1 answers PACER's refusal.
            entry.sealed = True
            entry.text = f"SEALED DOCUMENT filed by {party_p}."
            entry.short_description = "Sealed Document"
            entry.page_count = 3
            return entry
        entry.page_count = rng.choice([1, 2, 3, 5, 8, 12, 20, 35, 48])
        entry.restricted = 0.04 <= roll < 0.07
        entry.unavailable = 0.07 <= roll < 0.09
        if not plain and rng.random() < 0.25:
            for att in range(1, rng.randint(1, 4) + 1):
                entry.attachments.append(Attachment(attachment_number=att, pacer_doc_id=self._doc_id(case),
                                                    description=rng.choice(_ATTACHMENT_NAMES),
                                                    page_count=rng.choice([1, 2, 4, 9, 31])))
            entry.text += " (Attachments: " + ", ".join(
                f"# {a.attachment_number} {a.description}" for a in entry.attachments) + ")"
        return entry

"""The merge policy of the archive, declared once: per table and field, how a page's value is read
and whether it replaces the value we hold.

Every field follows the same routine (``TablePolicy.changes``): an empty or missing value never
erases one we hold; a new non-empty value that differs wins, unless the field's rule keeps the held
one (a later date only; a docket number against an equivalent form of itself).  Within one page a
repeated row (an entry, a party, an attorney, a document listed twice) is folded first, the first
non-empty value of each field winning (``TablePolicy.fold``), so that a page merged twice changes
nothing.  README "Merge rules" says the same for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pacer_spiders.courts import is_pacer_doc_id, normalize_pacer_doc_id
from pacer_spiders.parsers.common import parse_docket_number

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def name_key(name: str | None) -> str:
    """How names are compared: case and runs of spaces and punctuation do not matter."""
    return _SPACES.sub(" ", re.sub(r"[.,]", " ", name or "")).strip().lower()[:300]


def normalized_text(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip().lower()


# A district docket ends an entry's text with the day it was entered; the notice (NEF, NDA) of
# the same entry does not, nor does the docket of a court that shows that day in its own column.
_ENTERED_TRAILER = re.compile(r"\s*\(entered:\s*\d{1,2}/\d{1,2}/\d{2,4}\)$")


def entry_text(value: str | None) -> str:
    """An entry's text as every page showing it reads it: normalized, without "(Entered: date)"."""
    return _ENTERED_TRAILER.sub("", normalized_text(value))


# --- how a page's value is read (empty -> None) ------------------------------------------------
def as_text(value, court_id=None) -> str | None:
    if is_empty(value):
        return None
    return str(value).strip() or None


def as_int(value, court_id=None) -> int | None:
    if is_empty(value):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def as_date(value, court_id=None) -> str | None:
    """A date or date-time as its day, ``YYYY-MM-DD``."""
    value = as_text(value)
    return value[:10] if value else None


def as_doc_id(value, court_id=None) -> str | None:
    """A document id in its stored form (the court's normalisation); anything else is no id."""
    value = as_text(value)
    return normalize_pacer_doc_id(value, court_id) if is_pacer_doc_id(value) else None


def as_is(value, court_id=None):
    """JSON values and flags, kept as they come (empty -> None)."""
    return None if is_empty(value) else value


# --- when the held value stays ------------------------------------------------------------------
def never(held, new) -> bool:
    return False


def always(held, new) -> bool:
    """A value that only fills an empty field: whatever we hold stays."""
    return True


def not_later(held, new) -> bool:
    return new <= held


def fuller_entry_text(held: str, new: str) -> bool:
    """The docket's text of an entry stays against its notice's (the same, without "(Entered: date)")."""
    return len(held) > len(new) and entry_text(held) == entry_text(new)


def docket_number_key(value: str) -> str:
    """What makes two docket numbers the same number: ``1:16-cv-100`` is ``1:16-cv-00100``.

    Judge and defendant suffixes, case and zero padding aside (possible_case_numbers.pl writes
    the sequence unpadded, the docket report pads it to five digits)."""
    number, _ = parse_docket_number(value)
    return _DIGITS.sub(lambda m: str(int(m.group())), (number or normalized_text(value)).lower())


def equivalent_docket_number(held: str, new: str) -> bool:
    """The held number stays against an equivalent form of itself, unless the new form is the
    fuller one (the docket report's zero-padded sequence)."""
    if docket_number_key(held) != docket_number_key(new):
        return False
    return len(parse_docket_number(new)[0] or new) <= len(parse_docket_number(held)[0] or held)


@dataclass(frozen=True)
class Rule:
    """How one field merges: ``read`` turns a page's value into the stored one (empty -> None);
    ``keeps(held, new)`` is true when the held value stays although the new one differs."""

    read: Callable[[Any, str | None], Any] = as_text
    keeps: Callable[[Any, Any], bool] = never


NEW_WINS = Rule()
NUMBER = Rule(as_int)
DAY = Rule(as_date)
LATER_DAY = Rule(as_date, not_later)
DOC_ID = Rule(as_doc_id)
AS_IS = Rule(as_is)
FILLS_DAY = Rule(as_date, always)
DOCKET_NUMBER = Rule(as_text, equivalent_docket_number)
ENTRY_TEXT = Rule(as_text, fuller_entry_text)


@dataclass(frozen=True)
class TablePolicy:
    """The rules of one table's mergeable fields (identity and bookkeeping columns are not here)."""

    table: str
    fields: Mapping[str, Rule]

    def but(self, **rules: Rule) -> "TablePolicy":
        """The same table's policy for a page that knows some fields less well."""
        return TablePolicy(self.table, {**self.fields, **rules})

    def read(self, raw: Mapping, court_id: str | None = None) -> dict:
        """A page's values of every field, as stored (missing and empty -> None)."""
        return {name: rule.read(raw.get(name), court_id) for name, rule in self.fields.items()}

    def changes(self, held: Mapping | None, new: Mapping) -> dict:
        """The fields of ``new`` that replace what ``held`` has: the one merge routine."""
        found = {}
        for name, value in new.items():
            if is_empty(value):
                continue  # never erases
            old = held.get(name) if held is not None else None
            if value == old or (not is_empty(old) and self.fields[name].keeps(old, value)):
                continue
            found[name] = value
        return found

    @staticmethod
    def fold(seen: dict, key, values: Mapping) -> None:
        """Keep ``values`` under ``key``, or fill the empty fields of what a page listed first."""
        if key not in seen:
            seen[key] = dict(values)
            return
        for name, value in values.items():
            if is_empty(seen[key].get(name)) and not is_empty(value):
                seen[key][name] = value


_DOCKET_TEXT = (
    "case_name", "assigned_to_str", "referred_to_str", "cause", "nature_of_suit", "jury_demand", "demand",
    "jurisdiction", "mdl_status", "federal_dn_case_type", "federal_dn_office_code",
    "federal_dn_judge_initials_assigned", "federal_dn_judge_initials_referred", "federal_defendant_number",
)
_DOCKET_DAYS = ("date_filed", "date_terminated", "date_converted", "date_discharged", "date_last_filing")

DOCKETS = TablePolicy("dockets", {
    "docket_number": DOCKET_NUMBER,
    **dict.fromkeys(_DOCKET_TEXT, NEW_WINS),
    **dict.fromkeys(_DOCKET_DAYS, DAY),
    "last_entry_date": LATER_DAY,  # the newest entry date we have seen; a date-range page never lowers it
})
# What a page says of a docket (last_entry_date is worked out from its entries).
DOCKET_FIELDS = tuple(name for name in DOCKETS.fields if name != "last_entry_date")

ENTRIES = TablePolicy("docket_entries", {
    "document_number": NEW_WINS, "date_filed": NEW_WINS, "date_entered": NEW_WINS, "pacer_doc_id": DOC_ID,
    "pacer_seq_no": NEW_WINS, "description": ENTRY_TEXT, "short_description": NEW_WINS,
})
# An RSS item is dated the day its entry was entered (the feed's pubDate), not the day it was filed:
# that day fills an entry's dates while no other page has brought them, and never replaces one (a
# docket report's filing date stays, whichever page came last).
FEED_ENTRIES = ENTRIES.but(date_filed=FILLS_DAY, date_entered=FILLS_DAY)
DOCUMENTS = TablePolicy("documents", {
    "document_number": NEW_WINS, "pacer_doc_id": DOC_ID, "acms_document_guid": NEW_WINS, "pacer_seq_no": NEW_WINS,
    "description": NEW_WINS,
    "page_count": NUMBER, "file_size_bytes": NUMBER, "file_size_str": NEW_WINS, "is_sealed": AS_IS,
})
# A stored PDF on its document row (record_file).
DOCUMENT_FILES = TablePolicy("documents", {"sha1": NEW_WINS, "filepath": NEW_WINS, "page_count": NUMBER})
PARTIES = TablePolicy("parties", {"name": NEW_WINS, "extra_info": NEW_WINS, "date_terminated": DAY,
                                  "criminal_data": AS_IS})
ATTORNEYS = TablePolicy("attorneys", {"name": NEW_WINS, "contact": NEW_WINS})
ROLES = TablePolicy("party_attorneys", {"roles": AS_IS})

# Bankruptcy claims (claims registers, claims activity reports) and creditors (lists of creditors).
CLAIMS = TablePolicy("claims", {
    "creditor_id": NEW_WINS, "creditor_details": NEW_WINS, "amounts": AS_IS, "status": NEW_WINS,
    "filed_by": NEW_WINS, "entered_by": NEW_WINS, "description": NEW_WINS, "remarks": NEW_WINS,
    "date_original_filed": DAY, "date_original_entered": DAY, "date_last_amendment_filed": DAY,
    "date_last_amendment_entered": DAY, "date_modified": DAY,
})
CLAIM_HISTORY = TablePolicy("claim_history", {
    "type": NEW_WINS, "pacer_claim_id": NEW_WINS, "pacer_dm_id": NEW_WINS, "pacer_seq_no": NEW_WINS,
    "document_number": NUMBER, "attachment_number": NUMBER, "date_filed": DAY, "description": NEW_WINS,
    "attachments": AS_IS, "details": AS_IS,
})
CREDITORS = TablePolicy("creditors", {"name": NEW_WINS, "address": NEW_WINS, "number": NUMBER})

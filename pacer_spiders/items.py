"""The items a crawl yields: parsed PACER reports, each carrying where its page came from.

Every page item has the provenance fields of ``PageItem`` (court, report type, URL, what was asked,
the receipt and cost, the sha1 of its raw page in SOURCE_STORE) and the fields of its report, the
reference field set (juriscraper / CourtListener names, see DESIGN.md), declared once: each report
unit of ``pacer_spiders.reports`` declares its item class from the parts below.  The page's bytes
travel in ``body`` only as far as the pipelines that store them; a feed export never sees them.
Nested values (parties, attorneys, entries, attachments) are plain dicts with the fields of the
classes below, so that exports write them as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from scrapy import Item

# Scrapy (and Twisted with it) is imported when an item class is first used, not here: the parse
# command and the parsers read these modules without making items.


def fields(*names: str, **typed: str) -> dict:
    """Scrapy fields, each with its type (``str`` unless given: ``int``, ``date``, ``list`` ...)."""
    declared = {name: {"type": "str"} for name in names}
    declared.update({name: {"type": kind} for name, kind in typed.items()})
    return declared


PROVENANCE = fields(
    "court_id", "report_type", "url", "content_type", "fetched_at", "sha1", "source_path",
    status="int", context="dict", receipt="dict", cost="float", account="int",
    # Internal to the pipelines (never exported): the raw bytes, why the page was refused,
    # the archive rows it touched.
    body="bytes", problem="PageProblem", docket_id="int", document="dict", orphan_id="bool", document_id="int",
)
PROVENANCE_FIELDS = frozenset(PROVENANCE)
#: what a feed export must not carry (the pipelines drop these once they are done with them)
INTERNAL_FIELDS = ("body", "problem", "document")


class ItemClass:
    """A Scrapy Item class, made on first use: calling it makes an item, ``isinstance``,
    ``issubclass`` and ``==`` work with it, and every other attribute (``fields``, ``__name__`` ...)
    is the class's own."""

    def __init__(self, name: str, doc: str, declared: dict):
        self._spec = (name, doc, declared)
        self._class: type[Item] | None = None

    @property
    def item_type(self) -> type[Item]:
        if self._class is None:
            import scrapy

            name, doc, declared = self._spec
            namespace = {"__doc__": doc, "__module__": __name__,
                         **{key: scrapy.Field(value) for key, value in declared.items()}}
            self._class = cast("type[Item]", type(name, (scrapy.Item,), namespace))
        return self._class

    def __call__(self, *args, **kwargs):
        return self.item_type(*args, **kwargs)

    def __instancecheck__(self, instance) -> bool:
        return isinstance(instance, self.item_type)

    def __subclasscheck__(self, subclass) -> bool:
        return issubclass(subclass, self.item_type)

    def __eq__(self, other) -> bool:  # the class itself and its stand-in are one class
        return other is self or other is self.item_type

    def __hash__(self) -> int:
        return hash(self.item_type)

    def __getattr__(self, name):
        if name.startswith("_") and name not in ("__name__", "__qualname__", "__doc__", "__module__"):
            raise AttributeError(name)
        return getattr(self.item_type, name)

    def __repr__(self) -> str:
        return f"<item class {self._spec[0]}>"


def item_class(name: str, doc: str, declared: dict, page: bool = True) -> ItemClass:
    """A Scrapy Item class with ``declared`` fields (and the provenance fields of a page item)."""
    return ItemClass(name, doc, {**(PROVENANCE if page else {}), **declared})


RawPage = item_class("RawPage", "A page not (or not yet) parsed; one that is not the report asked for "
                     "carries its ``problem``.", fields(parsed="any"))

# -- nested values: the fields of the dicts inside a report's lists ------------------------------
Attorney = item_class("Attorney", "An attorney of a party.", fields("name", "contact", roles="list"), page=False)
Party = item_class("Party", "A party of a case.", fields(
    "name", "type", "extra_info", date_terminated="date", attorneys="list", criminal_data="dict"), page=False)
DocketEntry = item_class("DocketEntry", "One entry of a docket.", fields(
    "document_number", "pacer_doc_id", "pacer_seq_no", "description", "short_description",
    date_filed="date", date_entered="date", attachments="list"), page=False)
Attachment = item_class("Attachment", "An attachment of a document.", fields(
    "description", "file_size_str", "pacer_doc_id", "pacer_seq_no", attachment_number="int", page_count="int",
    file_size_bytes="int"), page=False)

#: The case fields a docket report names (also the base of history, case query and RSS cases).
CASE_FIELDS = fields(
    "docket_number", "case_name", "assigned_to_str", "referred_to_str", "cause", "nature_of_suit",
    "jury_demand", "demand", "jurisdiction", "mdl_status", "ordered_by", "federal_dn_case_type",
    "federal_dn_office_code", "federal_dn_judge_initials_assigned", "federal_dn_judge_initials_referred",
    "federal_defendant_number", "pacer_case_id",
    date_filed="date", date_terminated="date", date_converted="date", date_discharged="date",
    date_last_filing="date", parties="list", docket_entries="list",
)

"""possible_case_numbers.pl: the XML CM/ECF answers with the cases matching a typed docket number.

``<request number="..."><case number="2:16-cv-1152" id="977547" title="..."/>...</request>``, or a
``<message text="Cannot find case ..."/>`` / ``"Case Under Seal"``.  Several cases can match one
number (a civil and a criminal case of the same year and sequence); the context's docket number
(office and case type) and case name choose among them.
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import case_identity, decode, selector

_WORD = lazy_compile(r"[a-z0-9]+")


def candidates(body: bytes) -> list[dict]:
    """Every case the answer lists (``docket_number``, ``pacer_case_id``, ``title``, ``defendant``);
    NotTheReport for a page that is not this XML or lists none (sealed, not found)."""
    text = decode(body).lstrip("\ufeff")
    try:
        sel = selector(text.encode("utf-8") if text.lstrip().startswith("<?xml") else text, type="xml")
    except ValueError as exc:
        raise NotTheReport(PageProblem("not_xml", f"not possible_case_numbers XML: {exc}")) from None
    if not sel.xpath("/request"):
        raise NotTheReport(PageProblem("not_possible_case_numbers", "no <request> element"))
    cases = sel.xpath("/request/case")
    if not cases:
        message = sel.xpath("/request/message/@text").get() or "no cases"
        kind = "sealed" if "seal" in message.lower() else "not_found"
        raise NotTheReport(PageProblem(kind, f"possible_case_numbers says: {message}"))
    return [
        {"docket_number": case.xpath("@number").get(), "pacer_case_id": case.xpath("@id").get(),
         "title": case.xpath("@title").get(), "defendant": case.xpath("@defendant").get()}
        for case in cases if case.xpath("@id").get()
    ]


def matching(docket_number: str | None, found: list[dict]) -> list[dict]:
    """The candidates that are the docket number asked for: same year, case type and serial, and
    the same office where both name one.  A number that cannot be read matches every candidate."""
    wanted = case_identity(docket_number)
    if wanted is None:
        return list(found)
    kept = []
    for case in found:
        key = case_identity(case["docket_number"])
        if key is None or (key["year"], key["type"], key["serial"]) != (wanted["year"], wanted["type"], wanted["serial"]):
            continue
        if wanted["office"] and key["office"] and wanted["office"] != key["office"]:
            continue
        kept.append(case)
    return list({case["pacer_case_id"]: case for case in kept}.values())


def choose(found: list[dict], docket_number: str | None = None, case_name: str | None = None,
           pick: str | None = None) -> tuple[dict | None, list[dict]]:
    """The case meant among the candidates, and the candidates that match the number.

    One match is the case.  Among several, the case name's words choose when they point to one;
    ``pick="main"`` takes the main case (the lowest defendant number, then the lowest case id);
    ``pick=<case id>`` that case.  (None, matches) when the choice is not clear.
    """
    matches = matching(docket_number, found) if docket_number else list(found)
    pool = matches or ([] if docket_number and case_identity(docket_number) else list(found))
    if len(pool) == 1:
        return pool[0], matches
    if case_name and pool:
        wanted = set(_WORD.findall(case_name.lower())) - {"v", "vs", "et", "al", "in", "re"}
        scored = sorted(((len(wanted & set(_WORD.findall((c["title"] or "").lower()))), i) for i, c in enumerate(pool)),
                        reverse=True)
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return pool[scored[0][1]], matches
    if pick and pool:
        if pick.strip().lower() == "main":
            return main_case(pool), matches
        return next((c for c in pool if c["pacer_case_id"] == pick.strip()), None), matches
    return None, matches


def main_case(found: list[dict]) -> dict:
    """The main case among several: the lowest defendant number, else the lowest case id."""
    def order(case):
        defendant = case.get("defendant")
        return (int(defendant) if str(defendant or "").isdigit() else 0, int(case["pacer_case_id"]))

    return sorted(found, key=order)[0]


REFERENCE_KEYS = ("docket_number", "pacer_case_id", "title")


def parse(body: bytes, context: dict) -> dict:
    """The case the context means (its ``docket_number``, ``case_name``, ``pick``) and every case
    listed (``candidates``); NotTheReport when none or several are meant."""
    context = context or {}
    found = candidates(body)
    chosen, matches = choose(found, context.get("docket_number"), context.get("case_name"), context.get("pick"))
    if chosen is None:
        listed = matches or found
        if not listed:
            raise NotTheReport(PageProblem("not_found", f"no case {context.get('docket_number')!r} among "
                                           f"{', '.join(c['docket_number'] or '?' for c in found)}"))
        listing = "; ".join(f"{c['pacer_case_id']} ({c['title'] or c['docket_number']})" for c in listed)
        raise NotTheReport(PageProblem("ambiguous", f"matches {len(listed)} cases: {listing}"))
    return {**{key: chosen.get(key) for key in REFERENCE_KEYS}, "candidates": found}


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item  # noqa: E402

PossibleCaseNumbers = item_class(
    "PossibleCaseNumbers", "possible_case_numbers.pl's answer: the case chosen (``docket_number``, "
    "``pacer_case_id``, ``title``) and every case listed (``candidates``).",
    fields("docket_number", "pacer_case_id", "title", candidates="list"))


UNIT = ReportUnit(
    parse, lambda lowered: xml_root(lowered) == "request", merge_docket_item,
    name="possible_case_numbers", item_class=PossibleCaseNumbers, names_case=True, detect_rank=20,
    reference_keys=REFERENCE_KEYS,
    # The corpus files are named after the case they looked up ("armes-v-hot-pizzas"): the
    # caller's case name is what picks one case among several matches.
    corpus_context=lambda page: {"case_name": page.stem.replace("-", " ")},
    path="/cgi-bin/possible_case_numbers.pl?{docket_number}",
    corpus_folders=("possible_case_numbers",),
    source_extension=".xml",
)
from pacer_spiders.reports import xml_root  # noqa: E402

"""possible_case_numbers.pl: the XML CM/ECF answers with the cases matching a typed docket number.

``<request number="..."><case number="2:16-cv-1152" id="977547" title="..."/>...</request>``, or a
``<message text="Cannot find case ..."/>`` / ``"Case Under Seal"``.  Several cases can match one
number (a civil and a criminal case of the same year and sequence); the context's docket number
(office and case type) and case name choose among them.
"""

from __future__ import annotations

import re

from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import decode, parse_docket_number, selector

_WORD = re.compile(r"[a-z0-9]+")


def parse(body: bytes, context: dict) -> dict:
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
    candidates = [
        {
            "docket_number": case.xpath("@number").get(),
            "pacer_case_id": case.xpath("@id").get(),
            "title": case.xpath("@title").get(),
        }
        for case in cases
    ]
    chosen = _choose(candidates, context or {})
    if chosen is None:
        numbers = ", ".join(c["docket_number"] or "?" for c in candidates)
        raise NotTheReport(
            PageProblem("ambiguous", f"{len(candidates)} cases match ({numbers}); give a docket number or case name")
        )
    return chosen


def _choose(candidates: list[dict], context: dict) -> dict | None:
    if len(candidates) == 1:
        return candidates[0]
    wanted_number, wanted_parts = parse_docket_number(context.get("docket_number"))
    if wanted_number:
        office = wanted_parts["federal_dn_office_code"]
        case_type = wanted_parts["federal_dn_case_type"]
        narrowed = []
        for candidate in candidates:
            _, parts = parse_docket_number(candidate["docket_number"])
            if office and parts["federal_dn_office_code"] not in (None, office):
                continue
            if case_type and parts["federal_dn_case_type"] not in (None, case_type.lower()):
                continue
            narrowed.append(candidate)
        candidates = narrowed or candidates
        if len(candidates) == 1:
            return candidates[0]
    case_name = context.get("case_name")
    if case_name:
        wanted = set(_WORD.findall(case_name.lower())) - {"v", "vs", "et", "al", "in", "re"}
        scored = sorted(
            ((len(wanted & set(_WORD.findall((c["title"] or "").lower()))), i) for i, c in enumerate(candidates)),
            reverse=True,
        )
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return candidates[scored[0][1]]
    return None

"""Court RSS feeds (rss_outside.pl): recent docket entries, one ``<item>`` each.

An item's title is "<docket number> <caption>", its link the case's docket report (district and
bankruptcy: ``DktRpt.pl?<pacer_case_id>``), its description "[short description] (<a href=doc1
link>document number</a>)", preceded in bankruptcy feeds by "Type: bk Office: 1 Chapter: 11
Trustee: ...".  CM/ECF splits one entry with several events into consecutive items that share
title, link, guid and date; they are joined back into one entry.  The result is a list of
docket-like dicts, one per entry.
"""

from __future__ import annotations

import html
import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import (
    decode,
    doc_id_from_url,
    harmonize_case_name,
    parse_docket_number,
    query_param,
    selector,
)

_SHORT_DESCRIPTION = lazy_compile(r"\[(.*?)\]", re.S)
_DOCUMENT_LINK = lazy_compile(r"<a[^>]*href\s*=\s*['\"]([^'\"]*)['\"][^>]*>\s*([^<]*?)\s*</a>", re.I | re.S)
_BANKRUPTCY_FIELD = lazy_compile(r"(Type|Office|Chapter|Trustee):\s*(.*?)\s*(?=(?:Type|Office|Chapter|Trustee):|\[|$)", re.S)
_SHORT_APPELLATE_NUMBER = lazy_compile(r"^\d{2}-\d{1,10}$")
_CASE_ID = lazy_compile(r"DktRpt\.pl\?(\d+)")


def parse(body: bytes, context: dict) -> list:
    text = decode(body).lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses an encoding declaration in a str
    try:
        sel = selector(text, type="xml")
    except ValueError as exc:
        raise NotTheReport(PageProblem("not_rss", f"not an RSS feed: {exc}")) from None
    if not sel.xpath("/rss/channel"):
        raise NotTheReport(PageProblem("not_rss", "no <rss><channel> element"))
    court_id = (context or {}).get("court_id")
    cases: list[dict] = []
    previous_key = None
    events: list[str] = []
    for item in sel.xpath("/rss/channel/item"):
        fields = {name: (item.xpath(f"{name}/text()").get() or "").strip() for name in ("title", "link", "guid", "pubDate")}
        summary = item.xpath("description/text()").get() or ""  # HTML, itself entity-escaped once more
        key = tuple(fields.values())
        entry = _entry(summary, fields["pubDate"])
        if key == previous_key:
            # One entry that CM/ECF split into several items: keep one entry naming every event,
            # in sorted order so the result does not depend on the order of the feed's items.
            events.append(entry["short_description"])
            cases[-1]["docket_entries"][0]["short_description"] = " AND ".join(sorted(events))
            continue
        previous_key = None
        case = _case(fields, summary, court_id)
        if not case["docket_number"]:
            continue
        previous_key = key
        case["docket_entries"] = [entry]
        cases.append(case)
        events = [entry["short_description"]]
    return cases


def _case(fields: dict, summary: str, court_id: str | None) -> dict:
    title = html.unescape(fields["title"])
    number_token, _, caption = title.strip().partition(" ")
    docket_number, number_parts = parse_docket_number(number_token)
    if docket_number is None and _SHORT_APPELLATE_NUMBER.match(number_token):
        docket_number = number_token  # appellate "11-8"
    bankruptcy = {name.lower(): value for name, value in _BANKRUPTCY_FIELD.findall(summary.split("[", 1)[0])}
    case_id = _CASE_ID.search(fields["link"])
    case = {
        "court_id": court_id,
        "pacer_case_id": case_id.group(1) if case_id else None,
        "docket_number": docket_number,
        "case_name": harmonize_case_name(caption) or "Unknown Case Title",
        "date_filed": None,
        "date_terminated": None,
        "date_converted": None,
        "date_discharged": None,
        "assigned_to_str": "",
        "referred_to_str": "",
        "cause": "",
        "nature_of_suit": "",
        "jury_demand": "",
        "demand": "",
        "jurisdiction": "",
        "office": bankruptcy.get("office", ""),
        "type": bankruptcy.get("type", ""),
        "chapter": bankruptcy.get("chapter", ""),
        "trustee_str": bankruptcy.get("trustee", ""),
        "parties": None,
    }
    case.update(number_parts)
    return case


def _entry(summary: str, published: str) -> dict:
    short = _SHORT_DESCRIPTION.search(summary)
    link = _DOCUMENT_LINK.search(summary)
    url, label = (html.unescape(link.group(1)), link.group(2)) if link else ("", "")
    pacer_doc_id = doc_id_from_url(url) or ""
    if label.isdigit():
        document_number = label
    elif "/docs1/" in url:
        # Appellate feeds link "Document" without a number: the document id stands in for it.
        document_number = pacer_doc_id
    else:
        document_number = None
    try:
        date_filed = _parsedate(published).isoformat() if published else None
    except (TypeError, ValueError):
        date_filed = None
    return {
        "date_filed": date_filed,
        "description": "",
        "document_number": document_number,
        "pacer_doc_id": pacer_doc_id,
        "pacer_seq_no": query_param(url, "de_seq_num"),
        "short_description": html.unescape(short.group(1)) if short else "",
    }



def _parsedate(text: str):
    from email.utils import parsedate_to_datetime  # the feeds alone need it (and email costs a start-up)

    return parsedate_to_datetime(text)


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import CASE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

RssFeed = item_class("RssFeed", "A court's RSS feed (rss_outside.pl): each case it names, with its newest "
                     "entries, in ``cases`` (dicts of the ``RssCase`` fields).", fields(cases="list"))
RssCase = item_class("RssCase", "One case of an RSS feed.", {
    **CASE_FIELDS, **fields("court_id", "chapter", "office", "trustee_str", "type")}, page=False)


class RssUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        return [RssFeed(**provenance, cases=[dict(RssCase(**case)) for case in parsed])]


def merge_cases(archive, item, entry_policy=None):
    """Each case of ``item["cases"]`` is a partial docket (an RSS feed's, a free opinions report's,
    an advanced case query's); the last result is returned with every case's counts added up, and
    ``docket_ids`` of all of them.  Entries merge by ``entry_policy`` (default ``merge_policy.ENTRIES``)."""
    from collections import Counter

    from pacer_spiders.db.merge_policy import ENTRIES

    total: Counter[str] = Counter()
    last, docket_ids = None, []
    for case in item.get("cases") or []:
        if case.get("docket_number") or case.get("pacer_case_id"):
            last = archive.merge_docket(item["court_id"], case, {"pacer_case_id": case.get("pacer_case_id")},
                                        entry_policy or ENTRIES)
            total.update(last.counts)
            docket_ids.append(last.docket_id)
    if last is not None:
        last.counts = total
        last.docket_ids = docket_ids
    return last


def merge_feed(archive, item):
    """Each case a feed names is a partial docket (its newest entries).

    An item's date (its pubDate, ``date_filed`` in the parsed page as juriscraper names it) is the
    day the entry was entered: it is stored as that, and as the entry's filing date only until a
    page that knows the filing date brings it (``merge_policy.FEED_ENTRIES``)."""
    from pacer_spiders.db.merge_policy import FEED_ENTRIES

    cases = [{**case, "docket_entries": [dict(e, date_entered=e.get("date_filed"))
                                         for e in case.get("docket_entries") or []]}
             for case in item.get("cases") or []]
    return merge_cases(archive, {**item, "cases": cases}, FEED_ENTRIES)


UNIT = RssUnit(
    parse, lambda lowered: xml_root(lowered) == "rss", merge_feed,
    name="rss", ingest_type="rss", item_class=RssFeed, detect_rank=10, path="/cgi-bin/rss_outside.pl",
    corpus_folders=("rss_feeds",),
    source_extension=".xml",
)
from pacer_spiders.reports import xml_root  # noqa: E402

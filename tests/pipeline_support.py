"""Helpers of the pipeline and archive tests: pages with known parse results, the chain's settings.

A page's parse result is given with the page (a court plugin supplying ``page_parser``, the hook a
real court plugin uses): the tests exercise the pipelines and the archive, not the parsers.  Pages
reach the pipelines as ``RawPage`` items, read by their report unit in the parse stage.
"""

from __future__ import annotations

import copy
import hashlib
import json


from pacer_spiders.hookspecs import hookimpl
from pacer_spiders.items import RawPage


class KnownPages:
    """A plugin whose parser returns, for each page registered with ``page()``, its given result."""

    def __init__(self):
        self.results: dict[str, dict] = {}

    @hookimpl
    def page_parser(self, court_id, report):
        def parse(body: bytes, context: dict) -> dict:
            known = self.results.get(hashlib.sha1(body).hexdigest())
            if known is not None:
                return copy.deepcopy(known)
            # Any other page goes to the project's own parser of the report, when there is one.
            from pacer_spiders.reports import builtin_unit

            builtin = builtin_unit(report)
            return builtin.parse(body, context) if builtin else {}

        return parse

    def page(self, court_id: str, report_type: str, parsed: dict | None, body: bytes | None = None, **context):
        """A RawPage whose body parses to ``parsed`` (the body is made up when not given)."""
        if body is None:
            body = ("<html><!-- " + json.dumps(parsed, sort_keys=True) + " --></html>").encode()
        if parsed is not None:
            self.results[hashlib.sha1(body).hexdigest()] = parsed
        return RawPage(court_id=court_id, report_type=report_type, url=f"https://ecf.{court_id}.test/x",
                       status=200, body=body, content_type="text/html", context=context, cost=0.0,
                       fetched_at="2026-11-23T12:00:00+00:00")


def docket(number="1:24-cv-00001", name="Alpha v. Beta", entries=(), parties=(), **fields) -> dict:
    return {"docket_number": number, "case_name": name, "date_filed": "2024-01-02",
            "docket_entries": list(entries), "parties": list(parties), **fields}


def entry(number, text, day="2024-01-03", doc_id=None, seq=None) -> dict:
    return {"document_number": None if number is None else str(number), "description": text,
            "date_filed": day, "date_entered": day, "pacer_doc_id": doc_id, "pacer_seq_no": seq}


def party(name, type_="Plaintiff", attorneys=(), terminated=None) -> dict:
    return {"name": name, "type": type_, "extra_info": "", "date_terminated": terminated,
            "attorneys": [{"name": a, "contact": f"{a} LLP", "roles": ["LEAD ATTORNEY"]} for a in attorneys]}


def pdf_bytes(pages: int = 2, marker: str = "") -> bytes:
    objects = "".join(f"{i + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n" for i in range(pages))
    return (f"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            f"2 0 obj << /Type /Pages /Count {pages} >> endobj\n{objects}% {marker}\n%%EOF\n").encode()


def crawl(settings: dict, *items) -> dict:
    """Run items through the pipeline chain as one crawl; return its archive stats and drops."""
    from pacer_spiders.pipelines.chain import PipelineChain

    with PipelineChain(settings) as chain:
        for item in items:
            chain.process(item)
    stats = chain.archive_stats()  # after the pipelines closed (their end-of-crawl work counts)
    stats["dropped"] = [reason for _item, reason in chain.dropped]
    return stats


def chain_settings(database_url: str, tmp_path) -> dict:
    return {"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / "files")}

"""``pacer-spiders demo``: the main job on a fresh machine, with no PACER account and no fees.

It starts the PACER sandbox in this process, crawls a docket with its attachment pages into the
archive (the default SQLite file unless DATABASE_URL says otherwise), buys one of its PDFs, and
prints what was stored and what PACER would have billed.  Each crawl is an ordinary
``scrapy crawl`` run against the sandbox's URLs, exactly as against real PACER.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEMO_COURT = "okwd"


def _pick_case(sandbox, court_id: str):
    """A case with attachment menus and documents to buy: what the demo shows best."""
    from pacer_spiders.sandbox.appellate import is_free

    for case in sandbox.data.cases(court_id):
        if case.sealed:
            continue
        menus = [e for e in case.entries if e.pacer_doc_id and e.attachments and not e.sealed]
        buyable = [e for e in case.entries if e.pacer_doc_id and not e.attachments and not e.sealed
                   and e.document_number and not is_free(e)
                   and not getattr(e, "restricted", False) and not getattr(e, "unavailable", False)]
        if menus and buyable:
            return case, buyable[0]
    raise LookupError(f"the sandbox has no case with attachments at {court_id}")


def demo_docket_number(case, settings: dict) -> str:
    """The number a user would ask for: a district one, or the appeal's (CM/ECF's or ACMS's form)."""
    from pacer_spiders.courts import court_system
    from pacer_spiders.sandbox import acms, render

    if case.court.kind != "appellate":
        return f"{case.office}:{case.year % 100:02d}-{case.case_type}-{case.serial:05d}"
    if court_system(case.court, settings.get("PACER_APPELLATE_SYSTEMS")) == "acms":
        return acms.case_number(case)
    return render.appellate_docket_number(case)


def stored_summary(database_url: str, files_store: str = "", limit: int = 5) -> list[str]:
    """What the archive holds: rows per table and the dockets with their newest entries."""
    import sqlalchemy as sa

    from pacer_spiders.db import make_engine

    engine = make_engine(database_url)
    lines = []
    try:
        tables = sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            counts = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in sorted(tables)
                      if not t.startswith("alembic")}
            lines.append("rows: " + (", ".join(f"{t} {n}" for t, n in counts.items() if n) or "none"))
            if "dockets" in tables:
                for docket in conn.execute(sa.text("SELECT * FROM dockets ORDER BY id LIMIT :n"), {"n": limit}).mappings():
                    lines.append(f"docket {docket['id']}: {docket['court_id']} {docket.get('docket_number')} "
                                 f"{docket.get('case_name') or ''} (PACER case {docket.get('pacer_case_id')})")
                    if "docket_entries" in tables:
                        for entry in conn.execute(sa.text(
                                "SELECT document_number, date_filed, description FROM docket_entries "
                                "WHERE docket_id = :id ORDER BY id LIMIT :n"), {"id": docket["id"], "n": limit}).mappings():
                            text = (entry["description"] or "")[:70]
                            lines.append(f"  entry {entry['document_number'] or '-'} {entry['date_filed'] or ''} {text}")
            if "documents" in tables:
                for doc in conn.execute(sa.text("SELECT document_number, attachment_number, pacer_doc_id, filepath, "
                                                "page_count FROM documents WHERE filepath IS NOT NULL ORDER BY id "
                                                "LIMIT :n"), {"n": limit}).mappings():
                    lines.append(f"PDF of document {doc['document_number']} ({doc['pacer_doc_id']}, "
                                 f"{doc['page_count'] or '?'} pages): {os.path.join(files_store, doc['filepath'])}")
    finally:
        engine.dispose()
    return lines


def absolute_sqlite(url: str) -> str:
    """``sqlite:///relative.db`` -> ``sqlite:////abs/relative.db``; other URLs unchanged."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(Path(url[len(prefix):]).resolve())
    return url


def crawl_step(out, workdir: Path, name: str, spider_args: dict, what: str, settings: dict, env: dict):
    """One ``scrapy crawl``, shown as the command a user would type, then its summary."""
    from pacer_spiders.testing.crawls import run_crawl

    spider_args = dict(spider_args)
    spider = spider_args.pop("_spider", name)
    shown = " ".join(f"-a {k}={v}" for k, v in spider_args.items())
    out.write(f"$ scrapy crawl {spider} {shown}\n  ({what})\n")
    out.flush()
    result = run_crawl(spider, workdir / name, args=spider_args, settings=settings, env=env, timeout=600)
    start = result.log.find("Crawl summary")
    for line in (result.log[start:].splitlines()[1:9] if start >= 0 else []):
        if not line.startswith("  "):
            break
        out.write(f"  {line.strip()}\n")
    out.write(f"  finished: {result.reason}\n\n")
    if result.reason != "finished":
        out.write(f"  (the crawl log is in {workdir / name / 'crawl.log'})\n\n")
    return result


def run(args) -> int:
    from pacer_spiders.db.reader import ArchiveReader
    from pacer_spiders.sandbox import Sandbox
    from pacer_spiders.settings_access import project_settings

    settings = project_settings()
    # The crawls run in their own folders: relative paths are made absolute here, first.
    database_url = absolute_sqlite(args.database_url or settings.get("DATABASE_URL"))
    files_store = args.files_store or settings.get("FILES_STORE")
    if "://" not in files_store:
        files_store = str(Path(files_store).resolve())
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    out = sys.stdout
    with Sandbox(seed=args.seed, cases_per_court=12, entries=(6, 14)) as sandbox:
        case, document = _pick_case(sandbox, args.court)
        out.write(f"PACER sandbox on {sandbox.url} (no account, no fees)\n")
        out.write(f"archive: {database_url}\nfiles:   {files_store}\n\n")
        account = sandbox.account_env("good")
        crawl_settings = {**sandbox.settings, "DATABASE_URL": database_url, "FILES_STORE": files_store,
                          "LOG_LEVEL": "INFO", "PACER_PROGRESS_INTERVAL": "10"}
        number = demo_docket_number(case, crawl_settings)
        docket_args = {"court": args.court, "docket_number": number, "attachments": "1"}
        crawl_step(out, workdir, "docket", docket_args, f"docket {args.court} {number} with its attachment pages",
                   crawl_settings, account)
        # The PDF by our docket id and its document number, as a user would ask for it once the
        # docket is in the archive; by PACER document id when the archive has no such docket.
        held = ArchiveReader.open(database_url).find_docket(args.court, case.pacer_case_id) or \
            ArchiveReader.open(database_url).find_docket(args.court, None, number)
        if held:
            pdf_args = {"docket": held["id"], "documents": str(document.document_number)}
        else:
            pdf_args = {"court": args.court, "pacer_doc_id": document.pacer_doc_id,
                        "pacer_case_id": case.pacer_case_id}
        crawl_step(out, workdir, "pdf", pdf_args, f"document {document.document_number} of it (a PDF purchase)",
                   crawl_settings, account)
        crawl_step(out, workdir, "pdf-again", {**pdf_args, "_spider": "pdf"},
                   "the same document again: the archive holds it, nothing is bought", crawl_settings, account)
        ledger = sandbox.ledger
        out.write(f"PACER would have billed ${ledger.total():.2f} for {ledger.pages()} pages "
                  f"({len(ledger)} charges: " + ", ".join(f"{c.report} ${c.cost:.2f}" for c in ledger.charges) + ")\n\n")
    out.write("What the archive holds now:\n")
    for line in stored_summary(database_url, files_store if "://" not in files_store else ""):
        out.write(f"  {line}\n")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="crawl a docket, its attachment pages and a PDF from the sandbox",
                                   description=__doc__)
    parser.add_argument("--court", default=DEMO_COURT,
                        help="the court to crawl (default %(default)s; ca1: appellate CM/ECF, ca9: ACMS)")
    parser.add_argument("--database-url", help="the archive (default: DATABASE_URL, an SQLite file here)")
    parser.add_argument("--files-store", help="where PDFs go (default: FILES_STORE, ./pacer_files)")
    parser.add_argument("--workdir", default=os.environ.get("PACER_DEMO_WORKDIR", ".pacer-demo"),
                        help="where the crawl logs go (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="the sandbox's seed")
    parser.set_defaults(func=run)

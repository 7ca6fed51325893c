"""``pacer-spiders courts``: every PACER court (the list of all the PACER courthouses)."""

from __future__ import annotations

import csv
import json
import sys

from pacer_spiders.courts import KINDS, all_courts, court_base_url, court_system
from pacer_spiders.settings_access import project_settings

FIELDS = ("court_id", "pacer_subdomain", "kind", "system", "name", "doc_id_prefix", "url")


def court_rows(kind: str | None = None) -> list[dict]:
    settings = project_settings()
    template = settings.get("PACER_COURT_URL_TEMPLATE")
    systems = settings.get("PACER_APPELLATE_SYSTEMS")
    rows = []
    for court in all_courts(kind=kind):
        rows.append(
            {
                "court_id": court.court_id,
                "pacer_subdomain": court.pacer_subdomain,
                "kind": court.kind,
                "system": court_system(court, systems),
                "name": court.name,
                "doc_id_prefix": court.doc_id_prefix,
                "url": court_base_url(court.court_id, template),
            }
        )
    return rows


def write_rows(rows: list[dict], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        widths = {f: max([len(f)] + [len(str(r[f] or "")) for r in rows]) for f in FIELDS}
        out.write("  ".join(f.ljust(widths[f]) for f in FIELDS).rstrip() + "\n")
        for row in rows:
            out.write("  ".join(str(row[f] or "").ljust(widths[f]) for f in FIELDS).rstrip() + "\n")
        out.write(f"{len(rows)} courts\n")


def run(args) -> int:
    write_rows(court_rows(args.kind), args.format)
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("courts", help="list every PACER court", description=__doc__)
    parser.add_argument("--kind", choices=KINDS, help="only courts of this kind")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(func=run)

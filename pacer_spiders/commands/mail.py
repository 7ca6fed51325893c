"""``pacer-spiders mail``: ingest the NEF/NDA notices of a mailbox (a Maildir folder, or IMAP).

    pacer-spiders mail --maildir ~/Maildir/pacer
    PACER_IMAP_PASSWORD=… pacer-spiders mail --imap mail.example.org:993 --imap-user me --imap-ssl

Each new message (Maildir: under ``new/``; IMAP: UNSEEN in ``--imap-folder``) that is a Notice of
Electronic Filing or of Docket Activity goes through the pipelines as ``ingest --type nef|nda``
would put it (entry, documents, free looks), then is marked read (Maildir: moved to ``cur/`` with
the S flag; IMAP: \\Seen), so it is not ingested again.  A message that is no notice is left
unread, with one line.  The court is the one the notice's links name (or ``--court``).  Then
``scrapy crawl free_looks`` fetches the free-look documents.
"""

from __future__ import annotations

import imaplib
import json
import mailbox
import os
import re
import sys
import tempfile
from pathlib import Path

_COURT_HOST = re.compile(rb"ecf\.([a-z0-9]+)\.uscourts\.gov|/court/([a-z0-9-]+)/(?:cgi-bin|doc1)", re.I)


def court_of(raw: bytes, given: str | None) -> str | None:
    from pacer_spiders.courts import UnknownCourtError, court_id_for_subdomain, get_court

    if given:
        return get_court(given).court_id
    for match in _COURT_HOST.finditer(raw):
        subdomain = (match.group(1) or match.group(2)).decode().lower()
        try:
            return court_id_for_subdomain(subdomain)
        except UnknownCourtError:
            continue
    return None


def ingest_message(raw: bytes, court: str | None, overrides: dict) -> tuple[bool, str]:
    """(ingested, one line) for one raw e-mail."""
    from pacer_spiders.commands.ingest import ingest
    from pacer_spiders.reports import detect_report

    kind = detect_report(raw)
    if kind not in ("nef", "nda"):
        return False, "not a NEF/NDA notice"
    court_id = court_of(raw, court)
    if court_id is None:
        return False, "no court in the notice's links (pass --court)"
    with tempfile.NamedTemporaryFile(suffix=".eml", delete=False) as handle:
        handle.write(raw)
    try:
        report = ingest(Path(handle.name), kind, {"court_id": court_id}, overrides)
    finally:
        os.unlink(handle.name)
    if report["rejected"]:
        return False, f"{kind} refused: {report['rejected'][0]}"
    return True, f"{kind} of {court_id}: {json.dumps(report['counts'], sort_keys=True)}"


def from_maildir(path: Path, court, overrides) -> list[tuple[str, bool, str]]:
    if not (path / "new").is_dir():
        raise FileNotFoundError(f"not a Maildir folder (no new/): {path}")
    box = mailbox.Maildir(path, create=False)
    done = []
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        if message.get_subdir() != "new":
            continue
        ok, line = ingest_message(box.get_bytes(key), court, overrides)
        if ok:
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
        done.append((key, ok, line))
    return done


def from_imap(host: str, user: str, password: str, folder: str, ssl: bool, court, overrides):
    name, _, port = host.partition(":")
    client_class = imaplib.IMAP4_SSL if ssl else imaplib.IMAP4
    client = client_class(name, int(port) if port else (993 if ssl else 143))
    done = []
    try:
        client.login(user, password)
        status, _ = client.select(folder)
        if status != "OK":
            raise ValueError(f"IMAP folder {folder!r} cannot be opened")
        _, found = client.uid("SEARCH", "UNSEEN")  # no charset (imaplib leaves out a None one)
        for uid in (found[0] or b"").decode().split():
            _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            ok, line = ingest_message(raw, court, overrides)
            if ok:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            done.append((uid, ok, line))
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return done


def run(args) -> int:
    overrides = {"DATABASE_URL": args.database_url} if args.database_url else {}
    if bool(args.maildir) == bool(args.imap):
        print("pacer-spiders mail: pass --maildir DIR or --imap HOST[:PORT] (one of them)", file=sys.stderr)
        return 2
    if args.maildir:
        done = from_maildir(Path(args.maildir), args.court, overrides)
    else:
        password = os.environ.get("PACER_IMAP_PASSWORD")
        if not (args.imap_user and password):
            print("pacer-spiders mail: --imap needs --imap-user and PACER_IMAP_PASSWORD in the environment",
                  file=sys.stderr)
            return 2
        try:
            done = from_imap(args.imap, args.imap_user, password, args.imap_folder, args.imap_ssl, args.court,
                             overrides)
        except imaplib.IMAP4.error as exc:
            # the server's words, never the password
            print(f"pacer-spiders mail: IMAP refused: {str(exc).splitlines()[0] if str(exc) else 'error'}",
                  file=sys.stderr)
            return 1
    for key, ok, line in done:
        print(f"{key}: {'ingested' if ok else 'skipped'}: {line}")
    print(f"{sum(1 for _k, ok, _l in done if ok)} notices ingested, {sum(1 for _k, ok, _l in done if not ok)} "
          "messages skipped")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("mail", help="ingest the NEF/NDA notices of a Maildir folder or an IMAP mailbox",
                                   description=__doc__)
    parser.add_argument("--maildir", help="a Maildir folder (its new/ messages)")
    parser.add_argument("--imap", help="an IMAP server, HOST[:PORT] (its UNSEEN messages); the password from "
                                       "PACER_IMAP_PASSWORD")
    parser.add_argument("--imap-user")
    parser.add_argument("--imap-folder", default="INBOX")
    parser.add_argument("--imap-ssl", action="store_true", help="IMAP over TLS (port 993 by default)")
    parser.add_argument("--court", help="the notices' court (default: the court their links name)")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.set_defaults(func=run)

"""The ``pacer-spiders`` console script.

Each module of ``pacer_spiders/commands/`` adds its subcommands through ``register(subparsers)``;
plugins add theirs through the ``register_commands`` hook.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path

from pacer_spiders import __version__, commands
from pacer_spiders.plugin_manager import get_plugin_manager


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv`` naming a built-in command, only that command's module is
    imported (``pacer-spiders parse`` must not pay for Scrapy, Twisted and SQLAlchemy)."""
    parser = argparse.ArgumentParser(
        prog="pacer-spiders",
        description="Crawl PACER into your own database: courts, sandbox, parse, ingest, export, schedules.",
    )
    parser.add_argument("--version", action="version", version=f"pacer-spiders {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    chosen = _command_named(argv, names)
    for name in names if chosen is None else [chosen]:
        importlib.import_module(f"{commands.__name__}.{name}").register(subparsers)
    if chosen is None:  # a plugin's command, or the help listing them all
        get_plugin_manager().hook.register_commands(subparsers=subparsers)
    return parser


def _command_named(argv: list[str] | None, names: list[str]) -> str | None:
    """The built-in command ``argv`` runs, if it runs one (the top-level options take no value)."""
    if argv is None:
        return None
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in names else None


def one_line(exc: BaseException) -> str:
    """The first line of an error (a database driver's message runs over several, with a link)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def read_text_file(path) -> str:
    """A UTF-8 text file given by a user (a CSV, a JSONL, a schedule, a cassette); a ValueError
    naming the file when it is missing or not text (a binary file, another encoding)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: a folder, not a file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a UTF-8 text file (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    if "\x00" in text:
        raise ValueError(f"{path}: not a text file (it holds NUL bytes at offset {data.index(0)})")
    return text


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1 (a count of workers, say)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    """The console script (``argv`` None: the process's own arguments), or a call in a program."""
    whole_process = argv is None
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.INFO
    # The handler has the level too: the migrations' INFO lines reach it lowered to DEBUG (see
    # db._InfoAsDebug) and stop there without -v; no logger's level is changed for the process.
    stderr = logging.StreamHandler()
    stderr.setLevel(level)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=[stderr])
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pacer-spiders courts | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # one clear line for the user; --verbose shows the traceback
        if args.verbose:
            raise
        print(f"pacer-spiders {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 1
    if whole_process and getattr(args, "exit_at_once", False):
        exit_at_once(code)
    return code


def exit_at_once(code: int) -> None:
    """End the process now, its output flushed, without freeing its objects one by one (after a
    batch of pages that costs a few percent of the run).  For commands that leave nothing to
    finish at exit (no threads, no atexit work); if a flush fails (a closed pipe) the interpreter's
    own exit reports it as usual."""
    try:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())

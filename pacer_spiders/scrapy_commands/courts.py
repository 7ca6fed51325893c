"""``scrapy courts``: the same listing as ``pacer-spiders courts``, where Scrapy users look."""

import os
import sys

from scrapy.commands import ScrapyCommand

from pacer_spiders.commands.courts import KINDS, court_rows, write_rows


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self):
        return "List every PACER court"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--kind", choices=KINDS)
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")

    def run(self, args, opts):
        try:
            write_rows(court_rows(opts.kind), opts.format)
            sys.stdout.flush()
        except BrokenPipeError:  # `scrapy courts | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

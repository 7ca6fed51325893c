"""``pacer-spiders sandbox`` as a user runs it, and a Scrapy crawl beside the sandbox in one process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import urllib.request

PYTHON = sys.executable


def test_command_prints_settings_and_serves_until_ctrl_c():
    process = subprocess.Popen([PYTHON, "-m", "pacer_spiders", "sandbox", "--port", "0", "--seed", "3",
                                "--faults", "500=0.01@nowhere"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        exports = {name: quoted or bare
                   for name, quoted, bare in re.findall(r"^export (\w+)=(?:'([^']*)'|(\S+))$", text, re.M)}
        assert {"PACER_LOGIN_URL", "PACER_LOGOUT_URL", "PACER_COURT_URL_TEMPLATE", "PACER_USERNAME",
                "PACER_PASSWORD"} <= set(exports)
        assert "-s PACER_LOGIN_URL=" in text and "{subdomain}" in exports["PACER_COURT_URL_TEMPLATE"]
        request = urllib.request.Request(
            exports["PACER_LOGIN_URL"], method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"loginId": exports["PACER_USERNAME"], "password": exports["PACER_PASSWORD"],
                             "redactFlag": "1"}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            token = json.load(response)["nextGenCSO"]
        url = exports["PACER_COURT_URL_TEMPLATE"].format(subdomain="nysd") + "/cgi-bin/iquery.pl?100001"
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": f"NextGenCSO={token}"}),
                                    timeout=10) as response:
            assert "presiding" in response.read().decode()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "sandbox stopped" in out
    assert exports["PACER_PASSWORD"] not in err


def test_bad_options_are_one_line_errors():
    from pacer_spiders.sandbox import Sandbox

    with Sandbox() as busy:
        for options, message in ((["--faults", "explode=1"], "unknown fault 'explode'"),
                                 (["--corpus", "/nonexistent/corpus"], "does not exist"),
                                 (["--port", str(busy.port)], "cannot listen on")):
            result = subprocess.run([PYTHON, "-m", "pacer_spiders", "sandbox", *options],
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 2, result.stderr
            assert result.stderr.strip().count("\n") == 0 and message in result.stderr


SCRAPY_SCRIPT = textwrap.dedent("""
    import json, scrapy
    from scrapy.crawler import CrawlerProcess
    from pacer_spiders.sandbox import Sandbox

    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            body = json.dumps({"loginId": "sandbox-user", "password": "sandbox-pass", "redactFlag": "1"})
            yield scrapy.Request(self.settings["PACER_LOGIN_URL"], method="POST", body=body,
                                 headers={"Content-Type": "application/json"}, callback=self.logged_in)

        def logged_in(self, response):
            token = response.json()["nextGenCSO"]
            base = self.settings["PACER_COURT_URL_TEMPLATE"].format(subdomain="cand")
            for case_id in (100001, 100002, 100003):
                yield scrapy.FormRequest(base + "/cgi-bin/DktRpt.pl?1-L_1_0-1", cookies={"NextGenCSO": token},
                                         formdata={"all_case_ids": str(case_id), "list_of_parties_and_counsel": "on"},
                                         callback=self.docket, dont_filter=True)

        def docket(self, response):
            yield {"status": response.status, "receipt": b"Transaction Receipt" in response.body}

    with Sandbox() as sb:
        items = []
        process = CrawlerProcess({**sb.settings, "LOG_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                                  "ITEM_PIPELINES": {}})
        crawler = process.create_crawler(Probe)
        def collect(item):  # a named function: signals hold their receivers weakly
            items.append(item)

        crawler.signals.connect(collect, signal=scrapy.signals.item_scraped)
        process.crawl(crawler)
        process.start()
        print(json.dumps({"items": items, "charges": len(sb.ledger), "cost": sb.ledger.total()}))
""")


def test_a_scrapy_crawl_in_the_same_process_uses_the_sandbox(tmp_path):
    # A subprocess: Twisted's reactor runs once per process, and pytest's process must stay clean.
    env = {**os.environ, "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0"}
    script = tmp_path / "crawl_beside_sandbox.py"  # a file: Scrapy reads callbacks' source
    script.write_text(SCRAPY_SCRIPT)
    result = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["items"] == [{"status": 200, "receipt": True}] * 3
    assert report["charges"] == 3 and report["cost"] > 0

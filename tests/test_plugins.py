"""The plugin system: hookspecs documented, built-in plugins, entry-point plugins end to end."""

import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pluggy

from pacer_spiders import hookspecs
from pacer_spiders.courts import all_courts, get_court, normalize_pacer_doc_id
from pacer_spiders.plugin_manager import make_plugin_manager

SAMPLE = Path(__file__).parent / "sample_plugin" / "pacer_sample_court.py"


def _hook_functions():
    marker = f"{hookspecs.PROJECT}_spec"
    return [f for _, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, marker)]


def test_every_hook_has_a_docstring():
    hooks = _hook_functions()
    assert len(hooks) >= 8
    undocumented = [f.__name__ for f in hooks if not (f.__doc__ or "").strip()]
    assert undocumented == []


def test_builtin_hooks_are_trylast_and_implement_known_specs():
    pm = make_plugin_manager(load_entrypoints=False)
    builtins = [p for name, p in pm.list_name_plugin() if name.startswith("builtin:")]
    assert builtins, "no built-in plugin registered"
    pm.check_pending()  # every hookimpl names a spec
    for plugin in builtins:
        for name in dir(plugin):
            opts = getattr(getattr(plugin, name), f"{hookspecs.PROJECT}_impl", None)
            if opts is not None:
                assert opts["trylast"], f"{plugin.__name__}.{name} must be trylast"


def test_an_extra_plugin_is_asked_before_the_builtins():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pacer_sample_court", SAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pm = make_plugin_manager(load_entrypoints=False, extra_plugins=[module])
    assert get_court("zzd", pm).name == "Zed District (fictitious)"
    assert normalize_pacer_doc_id("990112345678", "zzd", pm) == "990112345678"
    # Courts the plugin does not handle keep the built-in rule.
    assert normalize_pacer_doc_id("035112345678", "cand", pm) == "035012345678"


def _install_sample_distribution(site: Path) -> None:
    """Lay the sample plugin out as pip would: its module plus a dist-info with the entry point."""
    shutil.copy(SAMPLE, site / SAMPLE.name)
    dist = site / "pacer_sample_court-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pacer-sample-court\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pacer_spiders]\nsample_court = pacer_sample_court\n")


def test_entry_point_plugin_is_loaded_by_the_cli(tmp_path):
    _install_sample_distribution(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PACER_SPIDERS_LOAD_ENTRYPOINTS="1")
    out = subprocess.run(
        [sys.executable, "-m", "pacer_spiders", "courts", "--format", "json", "--kind", "district"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    courts = {c["court_id"]: c for c in json.loads(out)}
    assert courts["zzd"]["name"] == "Zed District (fictitious)"
    assert courts["zzd"]["url"] == "https://ecf.zzd.uscourts.gov"
    assert len(courts) == 95
    quirk = subprocess.run(
        [sys.executable, "-c",
         "from pacer_spiders.courts import normalize_pacer_doc_id as n;"
         "print(n('990112345678','zzd'), n('035112345678','cand'))"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert quirk == ["990112345678", "035012345678"]


def test_entry_points_can_be_switched_off(tmp_path):
    _install_sample_distribution(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PACER_SPIDERS_LOAD_ENTRYPOINTS="0")
    out = subprocess.run(
        [sys.executable, "-m", "pacer_spiders", "courts", "--format", "json"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert "zzd" not in {c["court_id"] for c in json.loads(out)}
    assert len(all_courts()) == 205


def test_hookimpl_marker_is_pluggy():
    assert isinstance(hookspecs.hookimpl, pluggy.HookimplMarker)


def test_entry_point_plugin_adds_a_command_and_a_spider(tmp_path):
    _install_sample_distribution(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PACER_SPIDERS_LOAD_ENTRYPOINTS="1")
    said = subprocess.run([sys.executable, "-m", "pacer_spiders", "zzd-hello"], env=env, capture_output=True,
                          text=True, check=True).stdout
    assert said.strip() == "hello from the Zed District plugin"
    spiders = subprocess.run([sys.executable, "-m", "scrapy", "list"], env=env, cwd=Path(__file__).parent.parent,
                             capture_output=True, text=True, check=True).stdout.split()
    assert "zzd_notices" in spiders and "docket" in spiders


def test_a_plugin_changes_the_docket_query_of_its_court():
    import importlib.util

    from pacer_spiders.plugin_manager import get_plugin_manager
    from pacer_spiders.spiders.docket import DocketSpider

    spec = importlib.util.spec_from_file_location("pacer_sample_court", SAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pm = get_plugin_manager()
    pm.register(module)
    try:
        bodies = {}
        for court in ("zzd", "okwd"):
            spider = DocketSpider(court=court, pacer_case_id="100")
            spider.url_template, spider.database_url, spider.max_cost = "http://127.0.0.1:9/{subdomain}", None, None
            [request] = spider.docket_request(spider.court(court), {"court_id": court, "pacer_case_id": "100"},
                                              spider.report_options({}))
            bodies[court] = request.body
    finally:
        pm.unregister(module)
    assert b'name="zzd_sort"' in bodies["zzd"] and b"newest" in bodies["zzd"]
    assert b"zzd_sort" not in bodies["okwd"] and b'name="all_case_ids"' in bodies["okwd"]

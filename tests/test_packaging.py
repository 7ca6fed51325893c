"""The built-in plugins and pipelines install inside the distribution's namespace only."""

from __future__ import annotations

import os
import subprocess
import sys

from pacer_spiders.settings_access import project_settings

PROBE = """
import importlib
for name in ("plugins", "pipelines"):
    try:
        importlib.import_module(name)
    except ImportError:
        print(name, "absent")
    else:
        print(name, "IMPORTED from", importlib.import_module(name).__file__)
import pacer_spiders.plugins, pacer_spiders.pipelines.chain
print("namespaced", pacer_spiders.plugins.__name__, pacer_spiders.pipelines.chain.__name__)
"""


def test_plugins_and_pipelines_import_only_under_pacer_spiders(tmp_path):
    # cwd outside the checkout, so that only what is installed can be imported
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "plugins absent",
        "pipelines absent",
        "namespaced pacer_spiders.plugins pacer_spiders.pipelines.chain",
    ]


def test_item_pipelines_are_named_inside_the_namespace():
    pipelines = project_settings().getdict("ITEM_PIPELINES")
    assert pipelines
    assert [path for path in pipelines if not path.startswith("pacer_spiders.pipelines.")] == []

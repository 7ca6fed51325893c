"""Load the built-in plugins of ``plugins/`` and third-party plugins from entry points."""

from __future__ import annotations

import importlib
import os
import pkgutil
from functools import lru_cache

import pluggy

from pacer_spiders import hookspecs

ENTRYPOINT_GROUP = "pacer_spiders"
# Tests set this to "0" so that whatever else is installed in the environment cannot change them.
LOAD_ENTRYPOINTS_ENV = "PACER_SPIDERS_LOAD_ENTRYPOINTS"


def _builtin_plugin_modules():
    from pacer_spiders import plugins

    for info in sorted(pkgutil.iter_modules(plugins.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"pacer_spiders.plugins.{info.name}")


def make_plugin_manager(load_entrypoints: bool | None = None, extra_plugins=()) -> pluggy.PluginManager:
    """A fresh manager: built-in plugins, then entry-point plugins, then ``extra_plugins``.

    pluggy asks the last registered first, and built-in hooks are ``trylast``, so third-party
    and extra plugins win over built-ins.
    """
    if load_entrypoints is None:
        load_entrypoints = os.environ.get(LOAD_ENTRYPOINTS_ENV, "1") not in ("0", "false", "no")
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module in _builtin_plugin_modules():
        pm.register(module, name=f"builtin:{module.__name__}")
    if load_entrypoints and _may_declare_entry_points(ENTRYPOINT_GROUP):
        pm.load_setuptools_entrypoints(ENTRYPOINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def _may_declare_entry_points(group: str) -> bool:
    """Whether an installed distribution may declare entry points of ``group``: a plain read of the
    ``entry_points.txt`` files that ``importlib.metadata`` would read (the ``*.dist-info`` and
    ``*.egg-info`` folders of ``sys.path``'s folders).  importlib.metadata itself imports the email
    package and parses every distribution's entry points, a fifth of a one-page ``pacer-spiders
    parse``.  True (ask importlib.metadata) whenever this look cannot be sure: a zip or egg on the
    path, or another finder of distributions."""
    import sys
    from importlib.machinery import PathFinder

    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return True
    import re

    section = re.compile(rb"\[\s*" + re.escape(group.encode()) + rb"\s*\]")  # the group's [section] line
    for entry in sys.path:
        folder = entry or "."
        if folder.lower().endswith(".egg"):
            return True
        try:
            children = os.scandir(folder)
        except NotADirectoryError:
            return True  # a zip on the path
        except OSError:
            continue  # a folder that is not there holds no distribution
        with children:
            for child in children:
                if not child.name.lower().endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(child.path, "entry_points.txt"), "rb") as declared:
                        if section.search(declared.read()):
                            return True
                except OSError:
                    continue
    return False


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide manager (built once)."""
    return make_plugin_manager()


def hooks():
    return get_plugin_manager().hook

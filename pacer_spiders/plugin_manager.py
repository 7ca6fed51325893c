"""Load the built-in plugins of ``plugins/`` and third-party plugins from entry points."""

from __future__ import annotations

import importlib
import os
import pkgutil
import weakref
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


class PluginManager(pluggy.PluginManager):
    """pluggy's manager with ``memo``: a dict for answers that depend on the plugins and their
    arguments alone (which parser a report has at a court, which court a subdomain is), replaced
    by an empty one whenever a plugin is registered, unregistered or blocked (registering a
    plugin object, not changing one, is how plugins change).  Spiders ask those answers for every
    page; pluggy's call machinery costs microseconds a call."""

    def __init__(self, project_name: str):
        super().__init__(project_name)
        self.memo: dict = {}

    def register(self, plugin, name=None):
        try:
            return super().register(plugin, name)
        finally:  # after the change: an answer found during it goes with the dict it was put in
            self.memo = {}

    def unregister(self, plugin=None, name=None):
        try:
            return super().unregister(plugin, name)
        finally:
            self.memo = {}


def make_plugin_manager(load_entrypoints: bool | None = None, extra_plugins=()) -> pluggy.PluginManager:
    """A fresh manager: built-in plugins, then entry-point plugins, then ``extra_plugins``.

    pluggy asks the last registered first, and built-in hooks are ``trylast``, so third-party
    and extra plugins win over built-ins.
    """
    if load_entrypoints is None:
        load_entrypoints = os.environ.get(LOAD_ENTRYPOINTS_ENV, "1") not in ("0", "false", "no")
    pm = PluginManager(hookspecs.PROJECT)
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


# a manager of pluggy's own class -> (its set of plugins, what was remembered for that set)
_memos: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def plugins_memo(pm: pluggy.PluginManager) -> dict:
    """``pm.memo`` (see ``PluginManager``); for a manager of pluggy's own class, a dict kept while
    its set of plugins stays the same.  Emptied when it holds ``MEMO_LIMIT`` answers: the keys
    carry court ids, which a long-running service may be handed by anyone."""
    if type(pm) is PluginManager:
        memo = pm.memo
    else:
        plugins = frozenset(pm.get_plugins())
        held = _memos.get(pm)
        if held is None or held[0] != plugins:
            held = _memos[pm] = (plugins, {})
        memo = held[1]
    if len(memo) >= MEMO_LIMIT:
        memo.clear()  # answers are found again as asked; a few hundred (reports x courts) in use
    return memo


MEMO_LIMIT = 10_000


def sole_builtin_impl(pm: pluggy.PluginManager, hook_name: str):
    """The function of ``hook_name``'s one implementation when that is a built-in plugin's (no
    court plugin and no wrapper has one), else None: a caller may then call it directly, sparing
    pluggy's call machinery on every page."""
    memo = plugins_memo(pm)
    key = ("sole builtin impl", hook_name)
    try:
        return memo[key]
    except KeyError:
        pass
    impls = getattr(pm.hook, hook_name).get_hookimpls()
    sole = None
    if len(impls) == 1 and not (impls[0].hookwrapper or impls[0].wrapper) \
            and impls[0].plugin_name.startswith("builtin:"):
        sole = impls[0].function
    memo[key] = sole
    return sole

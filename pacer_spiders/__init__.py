"""pacer_spiders: a plugin-based Scrapy framework for PACER (federal CM/ECF) crawls."""

__version__ = "0.1.0"


def __getattr__(name):
    # ``ADDONS = {"pacer_spiders.Addon": 0}``, imported only when asked for.
    if name == "Addon":
        from pacer_spiders.addon import Addon

        return Addon
    raise AttributeError(f"module 'pacer_spiders' has no attribute {name!r}")

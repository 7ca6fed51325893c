"""Which packages the distribution installs (everything else is in pyproject.toml).

``plugins/`` and ``pipelines/`` are top-level folders of the repository, as the layout asks, but
they install inside the distribution's namespace (``pacer_spiders.plugins``,
``pacer_spiders.pipelines``), so that they never collide with another distribution's top-level
``plugins`` or ``pipelines`` package in site-packages.
"""

from setuptools import find_packages, setup

NAMESPACED = {"pacer_spiders.plugins": "plugins", "pacer_spiders.pipelines": "pipelines"}

setup(
    packages=find_packages(include=["pacer_spiders", "pacer_spiders.*"]) + sorted(NAMESPACED),
    package_dir=NAMESPACED,
)

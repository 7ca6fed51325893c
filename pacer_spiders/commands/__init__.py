"""Subcommands of ``pacer-spiders``: one module each, with ``register(subparsers)``."""

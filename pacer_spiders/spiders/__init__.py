"""PACER spiders: login is a middleware; these fetch pages and yield RawPage items."""

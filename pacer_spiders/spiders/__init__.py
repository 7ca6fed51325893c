"""PACER spiders: login is a middleware; these fetch pages, read each once with its report unit and yield the parsed items."""

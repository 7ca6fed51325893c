"""Scrapy commands of the project (``scrapy <command>`` inside the project)."""

"""Item pipelines: source files, parse, validate, orphans, database, files (see DESIGN.md)."""

"""The floor for the autosave benchmark: a minimal Django view writing one row per request.

Served by gunicorn exactly as `iocompendium serve` serves the application (same workers,
threads and options), on the same kind of database (SQLite in WAL mode with the same
pragmas, or PostgreSQL), so the difference measured is the work of the real autosave."""

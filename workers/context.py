"""The one wrapper that gives jobs what a request has: settings and the database.

Built once per worker process, before RQ forks a work horse, so heavy things (the spaCy
pipeline) are loaded once and shared copy-on-write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from intake.config import Settings, load_settings
from intake.db import Database, open_database


@dataclass
class WorkerContext:
    settings: Settings
    db: Database


_context: WorkerContext | None = None


def get_context() -> WorkerContext:
    global _context
    if _context is None:
        settings = load_settings()
        _context = WorkerContext(settings, open_database(settings))
    return _context


def set_context(context: WorkerContext | None) -> None:
    """Tests and the CLI install a context built from their own settings."""
    global _context
    _context = context


def _after_fork_in_child() -> None:
    # A forked work horse must not share the parent's database sockets.
    if _context is not None:
        _context.db.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)

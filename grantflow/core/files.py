"""Files that belong to database rows: written durably before the row commits, removed when it
rolls back, deleted only once the deletion commits.

The order is what makes a crash safe. A new file is complete on disk (written to a temporary name,
synced, renamed) before the transaction that adds its row commits, so a committed row always finds
its file. If the transaction rolls back, the file is removed (:func:`grantflow.core.uow.after_rollback`).
A removed row's file is unlinked after the removal commits, so a rolled-back removal still finds it.
The one window left is a process killed after writing a file and before committing its row: the
file is then an orphan, and :func:`sweep_orphans` (run by the worker every hour, and by
``grantflow files sweep``) removes files no row names once they are older than a grace period.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from grantflow.core import uow

log = logging.getLogger(__name__)
TEMP_PREFIX = ".part-"


def write_new(path: Path, data: bytes) -> None:
    """Writes a new file atomically and durably; it disappears again if the transaction rolls back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(TEMP_PREFIX + path.name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _sync_dir(path.parent)
    uow.after_rollback(lambda: _unlink(path))


def remove_after_commit(path: Path) -> None:
    """Unlinks ``path`` once the transaction that removed its row has committed."""
    uow.after_commit(lambda: _unlink(path))


def sweep_orphans(folder: Path, referenced: Callable[[], Iterable[str]], *, grace_seconds: float) -> list[Path]:
    """Removes files in ``folder`` (not below it) that no row names and that are older than the
    grace period (a younger file may belong to a transaction still under way); returns them."""
    if not folder.is_dir():
        return []
    cutoff = time.time() - grace_seconds
    candidates = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime <= cutoff]
    if not candidates:
        return []
    keep = set(referenced())
    removed = []
    for p in candidates:
        name = p.name[len(TEMP_PREFIX):] if p.name.startswith(TEMP_PREFIX) else p.name
        if p.name.startswith(TEMP_PREFIX) or name not in keep:
            _unlink(p)
            removed.append(p)
    if removed:
        log.info("removed %d orphaned file(s) from %s", len(removed), folder)
    return removed


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

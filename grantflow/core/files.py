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
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from grantflow.core import uow

log = logging.getLogger(__name__)
TEMP_PREFIX = ".part-"


def write_durable(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync of the folder: a reader sees the whole
    file or none, and it survives a crash once this returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(Path(tmp))
        raise
    _sync_dir(path.parent)


def write_new(path: Path, data: bytes) -> None:
    """Writes a new file durably; it disappears again if the current transaction rolls back."""
    write_durable(path, data)
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
        if p.name.startswith(TEMP_PREFIX) or p.name not in keep:
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

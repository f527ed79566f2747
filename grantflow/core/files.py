"""Files that belong to database rows, by key, in the app's storage (a local folder or an
S3-compatible bucket, grantflow/core/storage.py): written durably before the row commits, removed
when it rolls back, deleted only once the deletion commits.

The order is what makes a crash safe. A new file is complete in storage before the transaction
that adds its row commits, so a committed row always finds its file. If the transaction rolls
back, the file is removed (:func:`grantflow.core.uow.after_rollback`). A removed row's file is
deleted after the removal commits, so a rolled-back removal still finds it. The one window left is
a process killed after writing a file and before committing its row: the file is then an orphan,
and :func:`sweep_orphans` (run by the worker every hour) removes files no row names once they are
older than a grace period.

The whole API, for any area that keeps files (a key is a relative path, ``area/name``):

* :func:`write_new` — a file for a row being added in the current transaction;
* :func:`write_durable` — a file whose row is added later by the caller (a letter batch);
* :func:`remove_after_commit` — the file of a row being deleted; :func:`delete` — at once;
* :func:`read`, :func:`exists`, :func:`download` (a response, only after ``authorize``; streamed
  by the app with ``stream=True``, for a file shown in a frame of the app's pages);
* :func:`sweep_orphans` — files in a folder that no row names.

A download is streamed by the app from a local folder; from S3 it is a redirect to a signed URL
valid for ``S3_SIGNED_URL_SECONDS`` (or streamed when ``STORAGE_DOWNLOADS`` is ``stream``, for a
store browsers cannot reach). Since the view has authorized the request before it asks for the
URL, a URL is only ever given to someone allowed to read the file, and soon stops working.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from flask import Response, abort, current_app, redirect, send_file

from grantflow.core import uow
from grantflow.core.storage import storage

log = logging.getLogger(__name__)


def write_durable(key: str, data: bytes) -> None:
    """Stores ``data`` under ``key``: complete and durable once this returns (a reader sees the
    whole file or none). From another thread, call ``storage().put`` of the backend resolved in
    the app's thread."""
    storage().put(key, data)


def write_new(key: str, data: bytes) -> None:
    """Writes a new file durably; it disappears again if the current transaction rolls back."""
    backend = storage()
    backend.put(key, data)
    uow.after_rollback(lambda: backend.delete(key))


def remove_after_commit(key: str) -> None:
    """Deletes ``key`` once the transaction that removed its row has committed."""
    backend = storage()
    uow.after_commit(lambda: backend.delete(key))


def delete(key: str) -> None:
    storage().delete(key)


def read(key: str) -> bytes:
    """The file's bytes; FileNotFoundError when there is none."""
    return storage().get(key)


def exists(key: str) -> bool:
    return storage().exists(key)


def download(key: str, *, mimetype: str, download_name: str, as_attachment: bool = True,
             stream: bool = False) -> Response:
    """The response that hands the file to the browser (404 when it is missing). Call it only
    after the request is authorized. ``stream`` sends it through the app whatever
    ``STORAGE_DOWNLOADS`` says: for a file the app's own pages show in a frame (their policy lets a
    frame load from the app's origin only, and the headers that allow the framing are the app's)."""
    backend = storage()
    config = current_app.config
    if backend.kind == "s3" and config["STORAGE_DOWNLOADS"] == "redirect" and not stream:
        url = backend.signed_url(key, mimetype=mimetype, filename=download_name, inline=not as_attachment,
                                 seconds=int(config["S3_SIGNED_URL_SECONDS"]))
        response = redirect(url, code=303)
    else:
        try:
            stream = backend.open(key)
        except FileNotFoundError:
            abort(404)
        response = send_file(stream, mimetype=mimetype, as_attachment=as_attachment,
                             download_name=download_name, max_age=0, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def sweep_orphans(prefix: str, referenced: Callable[[], Iterable[str]], *, grace_seconds: float) -> list[str]:
    """Removes files directly in the folder ``prefix`` (``"attachments/"``, not below it) whose
    name no row holds and that are older than the grace period (a younger file may belong to a
    transaction still under way), and temporary files a killed writer left there; returns the
    keys removed."""
    backend = storage()
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=grace_seconds)
    partial = backend.remove_partial(prefix, cutoff)
    candidates = [s.key for s in backend.list(prefix, recursive=False) if s.modified <= cutoff]
    removed = []
    if candidates:
        keep = {prefix + name for name in referenced()}
        for key in candidates:
            if key not in keep:
                backend.delete(key)
                removed.append(key)
    if removed or partial:
        log.info("removed %d orphaned and %d partial file(s) from %s", len(removed), partial, prefix)
    return removed

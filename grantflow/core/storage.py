"""Where files live: a folder on this machine (the embedded default) or an S3-compatible bucket.

A file is named by a *key*, a relative path such as ``attachments/3f2a…`` or
``letters/7/12-award-….pdf`` (letters, digits, ``.``, ``_`` and ``-`` in each part; no part begins
with a dot). Both backends offer the same few operations, and a ``put`` is durable when it returns:
the local backend writes a temporary file, syncs it and renames it into place (a reader sees the
whole file or none); S3 answers a PUT only once the object is stored. Code does not use a backend
directly but :mod:`grantflow.core.files`, which ties writes and removals to transactions.

``STORAGE_URL`` chooses: unset, the folder ``STORAGE_FOLDER`` (``files/`` in the instance folder);
``s3://bucket`` or ``s3://bucket/prefix``, that bucket, at ``S3_ENDPOINT_URL`` for a store other
than AWS (MinIO, Ceph, Garage, …), in ``S3_REGION``. Credentials come from boto3's usual sources
(``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` in the environment, a role, …), never from the
settings table. A backend is made once per app and process (boto3's client is thread-safe, but
must not cross a fork), so a letter batch's helper thread may ``put`` through the one its job
resolved.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from flask import Flask, current_app

TEMP_PREFIX = ".part-"
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_COPY_CHUNK = 1024 * 1024


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > 512 or not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    modified: dt.datetime  # aware, UTC


class LocalStorage:
    """Files under one folder; the key is the path below it."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        """Temp file in the same folder, fsync, rename, fsync of the folder."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    f.write(data)
                else:
                    shutil.copyfileobj(data, f, _COPY_CHUNK)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _sync_dir(path.parent)

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "", *, recursive: bool = True) -> Iterator[Stored]:
        """Files whose key begins with ``prefix`` (a folder, ending in ``/``, or empty); without
        ``recursive``, only those directly in it."""
        folder = self.root / prefix
        if not folder.is_dir():
            return
        paths = folder.rglob("*") if recursive else folder.iterdir()
        for p in sorted(paths):
            rel = p.relative_to(self.root).as_posix()
            if p.is_file() and not any(part.startswith(".") for part in rel.split("/")):
                st = p.stat()
                yield Stored(rel, st.st_size, dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc))

    def remove_partial(self, prefix: str, older_than: dt.datetime) -> int:
        """Temporary files a killed writer left in the folder ``prefix``; returns how many."""
        folder = self.root / prefix
        if not folder.is_dir():
            return 0
        cutoff, removed = older_than.timestamp(), 0
        for p in folder.glob(TEMP_PREFIX + "*"):
            if p.stat().st_mtime <= cutoff:
                p.unlink(missing_ok=True)
                removed += 1
        return removed

    def ping(self) -> None:
        """Raises unless the folder exists (it is made on first use) and can be written."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError("the storage folder cannot be written")

    def signed_url(self, key: str, **_) -> None:
        """A folder has no URLs of its own: downloads are streamed by the app."""
        return None


class S3Storage:
    """Objects in one bucket (below an optional prefix) of any S3-compatible store."""

    kind = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region: str | None = None) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url, self.region = endpoint_url, region
        self._clients: dict[int, object] = {}

    @property
    def client(self):
        """boto3's client for this process (made again after a fork)."""
        pid = os.getpid()
        client = self._clients.get(pid)
        if client is None:
            with _BOTO_LOCK:
                client = self._clients.get(pid)
                if client is None:
                    from botocore.config import Config

                    config = Config(signature_version="s3v4", retries={"max_attempts": 4, "mode": "standard"},
                                    max_pool_connections=16, connect_timeout=5, read_timeout=60,
                                    s3={"addressing_style": "path" if self.endpoint_url else "auto"})
                    client = _boto_session().client("s3", endpoint_url=self.endpoint_url,
                                                    region_name=self.region, config=config)
                    self._clients = {pid: client}
        return client

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        if isinstance(data, (bytes, bytearray, memoryview)):
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=bytes(data))
        else:
            self.client.upload_fileobj(data, self.bucket, self._name(key))

    def get(self, key: str) -> bytes:
        return self.open(key).read()

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def list(self, prefix: str = "", *, recursive: bool = True) -> Iterator[Stored]:
        options = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
        if not recursive:
            options["Delimiter"] = "/"
        for page in self.client.get_paginator("list_objects_v2").paginate(**options):
            for obj in page.get("Contents", ()):
                yield Stored(obj["Key"][len(self.prefix):], obj["Size"], obj["LastModified"])

    def remove_partial(self, prefix: str, older_than: dt.datetime) -> int:
        """A PUT is all or nothing: S3 leaves no partial objects behind."""
        return 0

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def signed_url(self, key: str, *, mimetype: str, filename: str, inline: bool, seconds: int) -> str:
        """A GET URL valid for ``seconds``, answered with this type, name and disposition."""
        disposition = "inline" if inline else "attachment"
        return self.client.generate_presigned_url("get_object", ExpiresIn=seconds, Params={
            "Bucket": self.bucket, "Key": self._name(key), "ResponseContentType": mimetype,
            "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "ResponseCacheControl": "private, no-store"})


Storage = LocalStorage | S3Storage
_BOTO_LOCK = threading.Lock()
_BOTO_SESSIONS: dict[int, object] = {}


def _boto_session():
    """One boto3 session per process (it loads the service descriptions once); under _BOTO_LOCK."""
    import boto3

    pid = os.getpid()
    if pid not in _BOTO_SESSIONS:
        _BOTO_SESSIONS.clear()
        _BOTO_SESSIONS[pid] = boto3.session.Session()
    return _BOTO_SESSIONS[pid]


def make_storage(config, instance_path: str) -> Storage:
    url = config["STORAGE_URL"]
    if not url:
        return LocalStorage(Path(config["STORAGE_FOLDER"] or Path(instance_path) / "files"))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"STORAGE_URL must be s3://bucket[/prefix] (or unset for a local folder), not {url!r}")
    return S3Storage(parts.netloc, parts.path, endpoint_url=config["S3_ENDPOINT_URL"], region=config["S3_REGION"])


def storage(app: Flask | None = None) -> Storage:
    """The app's storage backend (made on first use)."""
    app = app or current_app._get_current_object()
    backend = app.extensions.get("storage")
    if backend is None:
        backend = app.extensions["storage"] = make_storage(app.config, app.instance_path)
    return backend


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

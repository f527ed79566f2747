"""The file API (grantflow/core/files.py) on each storage: the local folder and a real
S3-compatible server (moto's, on loopback). Files follow their rows' transactions, orphans are
swept, keys cannot leave the storage."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import threading
import time

import pytest

from grantflow.core import files, uow
from grantflow.core.db import db
from grantflow.core.storage import TEMP_PREFIX, LocalStorage, check_key, storage


def test_a_new_file_is_stored_before_its_row_commits_and_leaves_when_it_rolls_back(app, storage_config):
    assert storage().kind == ("s3" if storage_config else "local")
    files.write_new("things/kept.bin", b"kept")
    assert files.read("things/kept.bin") == b"kept"  # complete before the commit
    db.session.commit()
    files.write_new("things/dropped.bin", b"dropped")
    assert files.exists("things/dropped.bin")
    db.session.rollback()
    assert not files.exists("things/dropped.bin")
    assert files.read("things/kept.bin") == b"kept"
    with pytest.raises(FileNotFoundError):
        files.read("things/dropped.bin")


def test_a_removed_file_goes_only_once_the_removal_commits(app, storage_config):
    files.write_durable("things/a.txt", b"a")
    files.remove_after_commit("things/a.txt")
    db.session.rollback()
    assert files.exists("things/a.txt")  # the removal did not stand
    files.remove_after_commit("things/a.txt")
    assert files.exists("things/a.txt")
    db.session.commit()
    assert not files.exists("things/a.txt")


def test_a_savepoint_that_rolls_back_keeps_the_transactions_files(app, storage_config):
    files.write_new("things/outer.txt", b"outer")
    with pytest.raises(ValueError):
        with uow.attempt():
            raise ValueError("refused")
    db.session.commit()
    assert files.read("things/outer.txt") == b"outer"


def test_large_files_stream_in_and_out_and_a_helper_thread_can_store(app, storage_config):
    """A ZIP of a letter batch is tens of megabytes: stored from a file object (multipart on S3);
    a batch's helper thread stores through the backend its job resolved."""
    big = os.urandom(9 * 1024 * 1024)
    backend = storage()
    backend.put("exports/big.zip", io.BytesIO(big))
    with backend.open("exports/big.zip") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(big).digest()
    done = []
    thread = threading.Thread(target=lambda: done.append(backend.put("letters/1/from-thread.pdf", b"%PDF-x")))
    thread.start()
    thread.join()
    assert done == [None] and files.read("letters/1/from-thread.pdf") == b"%PDF-x"
    assert [(s.key, s.size) for s in backend.list("exports/")] == [("exports/big.zip", len(big))]


def test_listing_is_by_folder_and_the_sweep_removes_only_old_orphans(app, storage_config):
    for key in ("attachments/kept", "attachments/orphan", "attachments/below/other", "letters/x.pdf"):
        files.write_durable(key, key.encode())
    backend = storage()
    assert [s.key for s in backend.list("attachments/", recursive=False)] == ["attachments/kept",
                                                                             "attachments/orphan"]
    assert {s.key for s in backend.list()} == {"attachments/kept", "attachments/orphan",
                                               "attachments/below/other", "letters/x.pdf"}
    # A young file may belong to a transaction still under way: kept whatever the rows say.
    assert files.sweep_orphans("attachments/", lambda: ["kept"], grace_seconds=3600) == []
    time.sleep(1.1)  # S3 keeps modification times to the second
    assert files.sweep_orphans("attachments/", lambda: ["kept"], grace_seconds=0) == ["attachments/orphan"]
    assert {s.key for s in backend.list()} == {"attachments/kept", "attachments/below/other", "letters/x.pdf"}


def test_a_killed_writers_partial_file_is_swept_and_never_listed(app):
    backend = storage()
    assert isinstance(backend, LocalStorage)
    files.write_durable("attachments/whole", b"whole")
    partial = backend.root / "attachments" / f"{TEMP_PREFIX}abc"
    partial.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(partial, (old, old))
    assert [s.key for s in backend.list()] == ["attachments/whole"]
    files.sweep_orphans("attachments/", lambda: ["whole"], grace_seconds=3600)
    assert not partial.exists() and files.exists("attachments/whole")


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "a/../../b", ".hidden", "a//b", "a/.part-x",
                                 "", "a b", "attachments/", "x" * 513])
def test_keys_cannot_leave_the_storage(app, key):
    with pytest.raises(ValueError, match="not a storage key"):
        check_key(key)
    with pytest.raises(ValueError):
        files.write_durable(key, b"x")


def test_readiness_of_each_storage(app, storage_config):
    storage().ping()
    if storage_config:
        from tests.servers import s3_client

        s3_client(storage_config["S3_ENDPOINT_URL"]).delete_bucket(Bucket=storage_config["STORAGE_URL"][5:])
        with pytest.raises(Exception):
            storage().ping()


def test_modification_times_are_aware(app, storage_config):
    files.write_durable("t/x", b"x")
    [stored] = storage().list("t/")
    assert stored.modified.tzinfo is not None
    assert abs(dt.datetime.now(dt.timezone.utc) - stored.modified) < dt.timedelta(minutes=1)

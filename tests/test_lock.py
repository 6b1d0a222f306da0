"""One writer or many readers: the store's lock (kg.lock) as other processes see it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import StoreBusyError, StoreError
from kg.lock import holders
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]

_HOLD = (
    "import sys, time\n"
    "from kg.store import Store\n"
    "s = Store(sys.argv[1], read_only=sys.argv[2] == 'r')\n"
    "print('ready', flush=True)\n"
    "time.sleep(float(sys.argv[3]))\n"
    "s.close()\n"
)


def _holder(store: Path, mode: str, seconds: float = 60) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(store), mode, str(seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture
def store_path(tiny_store):
    path = tiny_store.path
    tiny_store.close()
    return path


def test_lock_a_writer_excludes_readers_and_writers_and_is_named(store_path):
    proc = _holder(store_path, "w")
    try:
        for read_only in (True, False):
            with pytest.raises(StoreBusyError) as caught:
                Store(store_path, read_only=read_only)
            message = str(caught.value)
            assert str(store_path) in message
            assert f"pid {proc.pid} writing" in message
        assert [h["pid"] for h in holders(store_path)] == [proc.pid]
    finally:
        proc.kill()
        proc.wait()


def test_lock_readers_share_the_store_and_exclude_a_writer(store_path):
    proc = _holder(store_path, "r")
    try:
        with Store(store_path, read_only=True) as store:  # a second reader is welcome
            assert len(store.articles()) == 2
        with pytest.raises(StoreBusyError, match=f"pid {proc.pid} reading"):
            Store(store_path)
    finally:
        proc.kill()
        proc.wait()


def test_lock_a_killed_holder_leaves_the_store_free(store_path):
    proc = _holder(store_path, "w")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert holders(store_path) == []  # its record is recognised as dead
    with Store(store_path) as store:
        assert len(store.articles()) == 2


def test_lock_wait_blocks_until_the_writer_is_done(store_path):
    proc = _holder(store_path, "w", seconds=1.5)
    try:
        started = time.monotonic()
        with Store(store_path, read_only=True, wait=True) as store:
            assert len(store.articles()) == 2
        assert proc.poll() is not None or time.monotonic() - started > 0.5
    finally:
        proc.kill()
        proc.wait()


def test_lock_a_read_only_store_refuses_writes_and_needs_a_store(store_path, tmp_path):
    with Store(store_path, read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.remove_article("tiny")
    with pytest.raises(StoreError, match="no kg store"):
        Store(tmp_path / "nothing-here", read_only=True)
    assert not (tmp_path / "nothing-here").exists()

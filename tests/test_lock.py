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
from kg.store import LocalStore
from kg.store.lock import holders

ROOT = Path(__file__).resolve().parents[1]

_HOLD = (
    "import sys, time\n"
    "from kg.store import LocalStore\n"
    "s = LocalStore(sys.argv[1], read_only=sys.argv[2] == 'r')\n"
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
                LocalStore(store_path, read_only=read_only)
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
        with LocalStore(store_path, read_only=True) as store:  # a second reader is welcome
            assert len(store.articles()) == 2
        with pytest.raises(StoreBusyError, match=f"pid {proc.pid} reading"):
            LocalStore(store_path)
    finally:
        proc.kill()
        proc.wait()


def test_lock_a_killed_holder_leaves_the_store_free(store_path):
    proc = _holder(store_path, "w")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert holders(store_path) == []  # its record is recognised as dead
    with LocalStore(store_path) as store:
        assert len(store.articles()) == 2


def test_lock_wait_blocks_until_the_writer_is_done(store_path):
    proc = _holder(store_path, "w", seconds=1.5)
    try:
        started = time.monotonic()
        with LocalStore(store_path, read_only=True, wait=True) as store:
            assert len(store.articles()) == 2
        assert proc.poll() is not None or time.monotonic() - started > 0.5
    finally:
        proc.kill()
        proc.wait()


def test_lock_a_read_only_store_refuses_writes_and_needs_a_store(store_path, tmp_path):
    with LocalStore(store_path, read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.remove_article("tiny")
    with pytest.raises(StoreError, match="no kg store"):
        LocalStore(tmp_path / "nothing-here", read_only=True)
    assert not (tmp_path / "nothing-here").exists()


# --------------------------------------------------------------------------- read-only stores

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # linux/prctl.h, capability.h


def _held_to_permissions() -> None:
    """In a child about to exec: drop the capabilities that let root write any file, so the
    program it runs is held to the files' mode bits like any user (as in test_reliability)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _kg(*args: str, **popen) -> subprocess.CompletedProcess:
    """A real ``kg`` process (held to file permissions even as root)."""
    if os.geteuid() == 0:
        popen.setdefault("preexec_fn", _held_to_permissions)
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          **popen)


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def test_lock_a_store_this_user_may_read_but_not_write_is_readable(store_path):
    """A store whose folder and files are read-only to this user (another user's store) is
    read by `kg stats` and `kg query`, and nothing in it changes; a writer gets an error."""
    _read_only(store_path)
    before = _listing(store_path)
    try:
        stats = _kg("--store", str(store_path), "stats")
        assert stats.returncode == 0, stats.stderr
        assert stats.stdout.startswith("articles    2\n")
        query = _kg("--store", str(store_path), "query", "--format", "csv",
                    "SELECT ?o WHERE { ?s kg:owns ?o }")
        assert query.returncode == 0, query.stderr
        assert "tiktok" in query.stdout.lower()
        assert _listing(store_path) == before
        write = _kg("--store", str(store_path), "remove", "tiny")
        assert write.returncode == 1 and "Permission denied" in write.stderr
        assert "Traceback" not in write.stderr
    finally:
        for path in [store_path, *store_path.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    with LocalStore(store_path) as store:  # and it is a whole store still
        assert [a.id for a in store.articles()] == ["tiny", "tiny-two"]


def test_lock_a_store_on_a_read_only_mount_is_readable(store_path, tmp_path):
    """The store mounted read-only (a bind mount in a mount namespace of its own, where the
    sandbox allows one): `kg stats` reads it."""
    mount = tmp_path / "ro"
    mount.mkdir()
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            f"mount --bind -o ro {store_path} {mount} && ! touch {mount}/x"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no read-only bind mount here (unshare -m: {probe.stderr.strip()})")
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$1" "$2" && shift 2 && exec "$@"',
         "sh", str(store_path), str(mount), sys.executable, "-m", "kg", "--store", str(mount),
         "stats"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("articles    2\n")


@pytest.mark.parametrize("command", [["stats"], ["query", "ASK {}"], ["show", "TikTok"],
                                     ["articles"], ["remove", "tiny"]])
def test_lock_a_command_pointed_at_a_folder_that_is_not_a_store_leaves_nothing(tmp_path,
                                                                               command):
    """`kg --store FOLDER stats` (or query, show, remove) where FOLDER is not a store: an
    error saying so, and the folder as it was (no kg.lock, no kg-holders/, no database)."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy milk\n", encoding="utf-8")
    before = _listing(folder)
    run = subprocess.run([sys.executable, "-m", "kg", "--store", str(folder), *command],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 1
    assert f"Error: {folder} is not a kg store" in run.stderr
    assert _listing(folder) == before

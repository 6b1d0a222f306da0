"""Real SPARQL servers for the tests: Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``,
installed by ``make virtuoso``), each started on its own fresh database.

:func:`start_virtuoso` writes a ``virtuoso.ini`` into an empty folder (the database, its log
and its transaction file all live there: nothing of the Debian service nor of
/var/lib/virtuoso is used), binds HTTP and ISQL to free ports of 127.0.0.1, starts
``virtuoso-t +foreground``, waits until ``/sparql`` answers and lets the anonymous SPARQL
user update (``GRANT SPARQL_UPDATE TO "SPARQL"`` through ``isql-vt``). The fixtures
``virtuoso_server`` and ``sparql_server`` (tests/conftest.py) use it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
#: A fresh database takes about 4 s to create and start on the 2-core test machine (6 s the
#: first time, with cold caches); the timeout leaves room for a loaded machine.
START_TIMEOUT = 90.0

_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxClientConnections = 20

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {folder}
MaxClientConnections = 20
ServerThreads = 20

[SPARQL]
; kg reads whole graphs: no row limit, no "anytime" partial answers (docs/deployment.md)
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def need_virtuoso() -> None:
    """Fail under ``CI`` (where ``make test`` installs it), skip elsewhere, when Virtuoso's
    binaries are missing."""
    missing = [str(p) for p in (VIRTUOSO, ISQL) if not p.exists()]
    if missing:
        why = f"Virtuoso is not installed ({', '.join(missing)} missing): run `make virtuoso`"
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Stop a server (SIGTERM: Virtuoso's quick shutdown), killing it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def isql(port: int, command: str) -> subprocess.CompletedProcess:
    """Run one SQL ``command`` as ``dba`` (the fresh database's password is ``dba``)."""
    return subprocess.run([str(ISQL), f"127.0.0.1:{port}", "dba", "dba", f"exec={command}"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def virtuoso_template(folder: Path) -> Path:
    """An empty database with SPARQL update granted, checkpointed and shut down in
    ``folder``: its ``virtuoso.db``, copied by :func:`start_virtuoso` (``template=``), starts
    a fresh server in about 2 s instead of the 3.5 s (mostly CPU) of creating one."""
    server = start_virtuoso(folder)
    done = isql(server.isql_port, "checkpoint; shutdown;")
    try:
        server.proc.wait(60)
    except subprocess.TimeoutExpired:
        server.stop()
    if done.returncode != 0 or server.proc.returncode != 0:
        pytest.fail(f"Virtuoso's template database did not shut down cleanly: {done.stdout}"
                    f"{done.stderr}\n{server.log.read_text(errors='replace')}", pytrace=False)
    return folder / "virtuoso.db"


def start_virtuoso(folder: Path, *, max_rows: int = 10_000_000,
                   grant: bool = True, template: Path | None = None) -> SimpleNamespace:
    """A Virtuoso on a fresh database in ``folder``: ``.url`` (its ``/sparql`` endpoint),
    ``.base``, ``.isql_port``, ``.proc``, ``.log``, ``.seconds`` (time to start), ``.stop()``.
    With ``template`` (:func:`virtuoso_template`) the database starts as a copy of it (its
    grant included) instead of being created. Fails (never skips) when it does not start."""
    need_virtuoso()
    folder.mkdir(parents=True, exist_ok=True)
    if template is not None:
        shutil.copyfile(template, folder / "virtuoso.db")
        grant = False
    http, isql_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(folder=folder, http=http, isql=isql_port, max_rows=max_rows),
                   encoding="utf-8")
    log = folder / "stdout.txt"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen([str(VIRTUOSO), "+foreground", "+configfile", str(ini)],
                                cwd=folder, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    url = f"{base}/sparql"

    def fail(why: str) -> None:
        stop(proc)
        pytest.fail(f"Virtuoso did not start ({why}):\n{log.read_text(errors='replace')}",
                    pytrace=False)

    deadline = started + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=5):
                break
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                fail("its /sparql endpoint never answered")
            time.sleep(0.1)
    if grant:
        done = isql(isql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        if done.returncode != 0:
            fail(f"isql-vt could not grant SPARQL_UPDATE: {done.stdout}{done.stderr}")
    return SimpleNamespace(url=url, base=base, isql_port=isql_port, proc=proc, log=log,
                           seconds=time.monotonic() - started, stop=lambda: stop(proc))

"""A private Virtuoso (Debian's virtuoso-opensource, `make virtuoso`) for the remote-engine
tests: its own virtuoso.ini and database in a temporary directory, loopback ports only, the
built graph bulk-loaded (ld_dir + rdf_loader_run) into the graph agrikg names, stopped at the
end. Nothing of the system's instance is used, and no system service is started."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from tests.helpers.servers import answers

GRAPH = "https://w3id.org/agrikg/graph"
VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"

# Only what a SPARQL endpoint needs: no plugins, no VAD packages, small buffers. ResultSetMaxRows
# and MaxQueryExecutionTime are the two settings the README's engine table asks for.
_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CaseMode           = 2
DirsAllowed        = ., {dir}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 256M
ThreadsPerQuery    = 2
CheckpointInterval = 0

[HTTPServer]
ServerPort            = 127.0.0.1:{http_port}
ServerRoot            = {dir}
ServerThreads         = 10
MaxClientConnections  = 10
Charset               = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = 30
MaxQueryCostEstimationTime = 400
"""


def available() -> bool:
    return Path(VIRTUOSO).is_file() and Path(ISQL).is_file()


def isql(sql_port: int, statements: str, timeout: float = 120) -> str:
    """Run SQL through isql-vt as dba (the password of a fresh database: nothing else reaches
    this instance, which listens on loopback only and lives as long as the test session)."""
    done = subprocess.run([ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed: {done.stdout[-800:]} {done.stderr[-800:]}")
    return done.stdout


def start_virtuoso(directory: Path, dump: Path, ports: tuple[int, int],
                   max_rows: int = 100000) -> Iterator[str]:
    """Start Virtuoso in `directory`, load `dump` (N-Triples) into GRAPH, yield the SPARQL
    endpoint's URL with that graph as its `default-graph-uri` (Virtuoso's default graph is the
    union of all its graphs, its own system graphs included), stop it at the end."""
    sql_port, http_port = ports
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(dump, directory / "graph.nt")
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, sql_port=sql_port, http_port=http_port,
                               max_rows=max_rows), encoding="utf-8")
    log = open(directory / "stdout.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)],
                               cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}/sparql"
    try:
        if not answers(base, process, seconds=90, query="ASK {}"):
            raise RuntimeError("virtuoso did not start: " +
                               (directory / "stdout.log").read_text(errors="replace")[-1500:])
        isql(sql_port, f"ld_dir('{directory}', 'graph.nt', '{GRAPH}'); rdf_loader_run(); "
                       "checkpoint;")
        state = isql(sql_port, "SELECT CONCAT('loaded:', COUNT(*)) FROM DB.DBA.load_list "
                               "WHERE ll_state = 2 AND ll_error IS NULL;")
        if "loaded:1" not in state:
            raise RuntimeError(f"virtuoso did not load the graph: {state[-800:]}")
        # Its SPARQL user has no update role and no SERVICE grants by default: left so.
        yield f"{base}?default-graph-uri={quote(GRAPH, safe='')}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()

"""The run history: one row per audit in a SQLite file, for trends across batches.

Each run keeps its time, label (the batch name), the input's fingerprint
(path, sha256, bytes), the verdict, every numeric metric flattened to
``check.metric`` (``count.per_category.billing`` for nested ones) and the gaps.

Safety promises, and how they are kept:

- Writes are transactional: a run is written in one ``BEGIN IMMEDIATE`` ...
  ``COMMIT``, so a reader sees all of it or none of it.
- Two runs at once do not corrupt the file: WAL journaling lets readers go on
  while one writer writes, and a busy timeout makes a second writer wait for
  the first instead of failing.
- A file from an older schema is copied aside (``<name>.v<N>.bak``), then
  migrated inside one transaction; a file from
  a newer schema, or one that is not an auditor history, is refused with one
  clear line and never written to (it is checked read-only before anything
  else touches it, so it stays byte-identical).

Version 1 was the first layout (metrics and gaps as JSON text in the runs
row); version 2 keeps them in their own tables so trends are one query;
version 3 adds the ``auditor_history`` marker table, so that another
application's SQLite file (its own ``runs`` table, a lone view) is never
taken for a history: a file is written only when it carries the marker, has
the exact layout of version 1 or 2, or is new and empty.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import sqlite3
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.runtime.errors import AuditorError, shown

if TYPE_CHECKING:
    from auditor.report.model import Report

SCHEMA_VERSION = 3
MARKER_TABLE = "auditor_history"  # what makes a SQLite file an auditor history (version 3 on)
DEFAULT_DIR = ".auditor"
DEFAULT_NAME = "history.sqlite"
BUSY_TIMEOUT_S = 60.0  # a second writer waits this long for the first: a run's write takes milliseconds
SQLITE_MAGIC = b"SQLite format 3\x00"


class HistoryError(AuditorError):
    """The history file cannot be used (newer schema, not a history, unreadable)."""


@dataclass(frozen=True)
class GapRow:
    code: str
    severity: str
    check: str
    message: str
    count: int


@dataclass(frozen=True)
class Run:
    """One recorded audit."""

    label: str
    verdict: str
    metrics: Mapping[str, float]
    time: str = ""  # ISO 8601, UTC; filled in when recorded
    path: str | None = None
    sha256: str | None = None
    bytes: int | None = None
    format: str | None = None
    gaps: tuple[GapRow, ...] = ()
    id: int | None = None
    tool_version: str | None = None


def default_path(config_source: str | None = None, cwd: Path | None = None) -> Path:
    """``.auditor/history.sqlite`` in the project root: the config file's folder, else the current one."""
    root = Path(config_source).resolve().parent if config_source else (cwd or Path.cwd())
    return root / DEFAULT_DIR / DEFAULT_NAME


def history_target(
    explicit: Path | str | None, *, disabled: bool = False, config_file: Path | str | None = None, only_if_folder: bool = True
) -> Path | None:
    """Where ``auditor check`` records a run, or None to record nothing.

    An explicit path always wins (and ``disabled`` always stops). Otherwise the
    default ``.auditor/history.sqlite`` is used only when the project already
    has an ``.auditor/`` folder: a plain ``auditor check`` never creates files
    the user did not ask for, and never fails in a read-only place.
    """
    if disabled:
        return None
    if explicit is not None:
        return Path(explicit)
    from auditor.core.config import find_config_file

    found = Path(config_file) if config_file is not None else find_config_file()
    path = default_path(str(found) if found else None)
    if only_if_folder and not path.parent.is_dir():
        return None
    return path


def flatten_metrics(metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """``{"count": {"per_category": {"billing": 3}}}`` -> ``{"count.per_category.billing": 3.0}``; numbers only."""
    out: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        elif isinstance(value, bool | int | float) and not (isinstance(value, float) and not math.isfinite(value)):
            out[prefix] = float(value)

    for check, values in metrics.items():
        walk(check, values)
    return out


def run_from_report(report: Report, label: str | None = None) -> Run:
    from auditor.version import __version__

    info = report.input
    return Run(
        label=label or (Path(info.path).name if info.path else info.format.split("/", 1)[0]),
        verdict=report.verdict,
        metrics=flatten_metrics(report.metrics),
        path=info.path,
        sha256=info.sha256,
        bytes=info.bytes,
        format=info.format,
        gaps=tuple(
            GapRow(g.finding.code, g.finding.severity.value, g.check, g.finding.message, g.finding.size) for g in report.gaps
        ),
        tool_version=__version__,
    )


# --- schema -----------------------------------------------------------------

_V2 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    label TEXT NOT NULL,
    path TEXT,
    sha256 TEXT,
    bytes INTEGER,
    format TEXT,
    verdict TEXT NOT NULL,
    tool_version TEXT
);
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE INDEX metrics_by_name ON metrics(name, run_id);
CREATE TABLE gaps (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    check_name TEXT NOT NULL,
    message TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, position)
);
"""

#: The version 1 layout, kept to document what ``_migrate_1_to_2`` reads (and for its test).
V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    path TEXT,
    sha256 TEXT,
    bytes INTEGER,
    verdict TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    gaps_json TEXT NOT NULL
);
"""


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    old = con.execute("SELECT id, started_at, path, sha256, bytes, verdict, metrics_json, gaps_json FROM runs").fetchall()
    con.execute("DROP TABLE runs")
    con.execute("DROP TABLE schema_version")
    for stmt in _statements(_V2):  # one by one: executescript would COMMIT the migration half-way
        con.execute(stmt)
    for run_id, started, path, sha, size, verdict, metrics_json, gaps_json in old:
        label = Path(path).name if path else f"run {run_id}"
        con.execute(
            "INSERT INTO runs (id, time, label, path, sha256, bytes, verdict) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, started, label, path, sha, size, verdict),
        )
        metrics = flatten_metrics(json.loads(metrics_json or "{}"))
        con.executemany("INSERT INTO metrics VALUES (?, ?, ?)", [(run_id, k, v) for k, v in metrics.items()])
        for pos, g in enumerate(json.loads(gaps_json or "[]")):
            con.execute(
                "INSERT INTO gaps VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, pos, g.get("code", ""), g.get("severity", ""), g.get("check", ""), g.get("message", ""), int(g.get("count") or 0)),
            )


def _add_marker(con: sqlite3.Connection) -> None:
    con.execute(f"CREATE TABLE {MARKER_TABLE} (format TEXT NOT NULL)")
    con.execute(f"INSERT INTO {MARKER_TABLE} VALUES ('auditor run history')")


MIGRATIONS = {1: _migrate_1_to_2, 2: _add_marker}  # from version -> step to version + 1


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


# --- opening ------------------------------------------------------------------


def _objects(con: sqlite3.Connection) -> dict[str, str]:
    """Every table, view, index and trigger: name -> type (SQLite's own ``sqlite_*`` objects left out)."""
    rows = con.execute("SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return {str(name): str(kind) for name, kind in rows}


def _layout(con: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    """Every object with, for a table, its column names: what a file made by an older auditor must match."""
    out: dict[str, tuple[str, ...]] = {}
    for name, kind in _objects(con).items():
        quoted = '"' + name.replace('"', '""') + '"'
        out[f"{kind} {name}"] = tuple(r[1] for r in con.execute(f"PRAGMA table_info({quoted})")) if kind == "table" else ()
    return out


@functools.lru_cache(maxsize=1)
def _legacy_layouts() -> dict[int, dict[str, tuple[str, ...]]]:
    """The layouts of versions 1 and 2, which had no marker table, built from their own schema text."""
    layouts = {}
    for version, script in ((1, V1_SCHEMA), (2, _V2)):
        with contextlib.closing(sqlite3.connect(":memory:")) as con:
            con.executescript(script)
            layouts[version] = _layout(con)
    return layouts


def _describe(objects: dict[str, str]) -> str:
    kinds = sorted(set(objects.values()), key=lambda k: (k != "table", k))
    return "; ".join(f"{kind}s: {', '.join(sorted(n for n, k in objects.items() if k == kind))}" for kind in kinds)


def _read_version(con: sqlite3.Connection, path: Path) -> int | None:
    """The schema version, None for an empty database; refuses any database auditor did not make.

    A history carries the ``auditor_history`` marker table (since version 3);
    an older one is recognised only by its exact layout. Anything else, down
    to a file holding a single view or an empty file another application
    marked with its ``user_version``, is someone else's.
    """
    objects = _objects(con)
    user_version = int(con.execute("PRAGMA user_version").fetchone()[0])
    application_id = int(con.execute("PRAGMA application_id").fetchone()[0])
    if not objects:
        if user_version or application_id:
            raise HistoryError(
                f"{shown(path)}: an empty SQLite file marked by another application "
                f"(user_version {user_version}, application_id {application_id}); not touching it"
            )
        return None
    if objects.get(MARKER_TABLE) != "table":
        layout = _layout(con)
        legacy = [v for v, known in _legacy_layouts().items() if known == layout]
        if not legacy or user_version or application_id:
            raise HistoryError(f"{shown(path)}: a SQLite file but not an auditor history ({_describe(objects)}); not touching it")
    row = con.execute("SELECT max(version) FROM schema_version").fetchone() if objects.get("schema_version") == "table" else None
    if row is None or not isinstance(row[0], int):
        raise HistoryError(f"{shown(path)}: the history has no schema version; not touching it")
    return int(row[0])


def _refuse_newer(version: int | None, path: Path) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise HistoryError(
            f"{shown(path)}: history schema version {version} is newer than this auditor understands "
            f"({SCHEMA_VERSION}); upgrade auditor or use another --history file (the file was not changed)"
        )


def _refuse_non_file(path: Path) -> None:
    """A folder, a device or a pipe is never a history: SQLite would create its journal beside it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"{shown(path)}: cannot open the history: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise HistoryError(f"{shown(path)}: {kind}, so not a history file; name a file with --history")


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write a byte, sidecar files included.

    ``immutable`` reads the main file with no locks and no ``-wal``/``-shm``
    files (plain ``mode=ro`` creates both beside a WAL-mode file). When a
    ``-wal`` already exists, auditor (or a crashed run) has the file open and
    committed pages may still sit in it, so it is read through SQLite's
    normal read-only path, which uses the sidecars that are already there.
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)


def check_file(path: Path) -> int | None:
    """The file's schema version (None: new or empty); refuses, without writing a byte (no sidecar
    file either), a file this version must not touch. ``auditor check`` calls it before the audit."""
    _refuse_non_file(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise HistoryError(f"{shown(path)}: not a SQLite file, so not an auditor history; not touching it")
    with _opened_read_only(path) as con:
        version = _read_version(con, path)
    _refuse_newer(version, path)
    return version


@contextlib.contextmanager
def _opened_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        con = _read_only(path)
    except sqlite3.Error as exc:
        raise HistoryError(f"{shown(path)}: cannot open the history: {exc}") from None
    try:
        yield con
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{shown(path)}: cannot read the history: {exc}") from None
    finally:
        con.close()


def _inspect(path: Path) -> int | None:
    """``check_file``, then a file from an older version is copied to ``<name>.v<N>.bak`` (through
    SQLite's backup API, so pages still in the WAL are included) before it is migrated, so the
    original layout is never lost."""
    version = check_file(path)
    if version is not None and version < SCHEMA_VERSION:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        if not backup.exists():
            with _opened_read_only(path) as con, contextlib.closing(sqlite3.connect(backup)) as copy:
                con.backup(copy)
    return version


def _retrying(con: sqlite3.Connection, sql: str) -> None:
    # Switching to WAL needs a moment of exclusive access; another process
    # opening the file at the same instant can make it fail once with
    # "locked" despite the busy timeout, so it is retried briefly.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            con.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class History:
    """A run history file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        _refuse_non_file(self.path)
        if not create and not self.path.is_file():
            raise HistoryError(f"{shown(self.path)}: no history yet; record runs with 'auditor check --history {shown(self.path)}'")
        _inspect(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"{shown(self.path)}: cannot open the history: {exc}") from None
        try:
            self._con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _retrying(self._con, "PRAGMA journal_mode = WAL")
            self._con.execute("PRAGMA foreign_keys = ON")
            # The common case, a file already at this version, needs no write lock.
            if _read_version(self._con, self.path) != SCHEMA_VERSION:
                with self._transaction():
                    self._prepare()
        except sqlite3.DatabaseError as exc:
            self._con.close()
            raise HistoryError(f"{shown(self.path)}: cannot use the history: {exc}") from None
        except BaseException:
            self._con.close()
            raise

    def _prepare(self) -> None:
        """Create or migrate, inside the caller's transaction (another process may have just done it)."""
        version = _read_version(self._con, self.path)
        _refuse_newer(version, self.path)
        if version is None:
            for stmt in _statements(_V2):
                self._con.execute(stmt)
            _add_marker(self._con)
            self._con.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            return
        while version < SCHEMA_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise HistoryError(f"{shown(self.path)}: no migration from history schema version {version}; not touching it")
            step(self._con)
            version += 1
            self._con.execute("DELETE FROM schema_version")
            self._con.execute("INSERT INTO schema_version VALUES (?)", (version,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue on the
        # busy timeout instead of one failing half-way with "locked".
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._con.close()

    @property
    def version(self) -> int:
        return int(self._con.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    def add(self, run: Run) -> int:
        """Write one run (all of it or nothing); returns its id."""
        from auditor.runtime.fsio import utf8_safe  # SQLite cannot bind a lone surrogate (from the data or a file name)

        when = run.time or datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction() as con:
            cur = con.execute(
                "INSERT INTO runs (time, label, path, sha256, bytes, format, verdict, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (when, *utf8_safe([run.label, run.path, run.sha256]), run.bytes, *utf8_safe([run.format, run.verdict, run.tool_version])),
            )
            run_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO metrics VALUES (?, ?, ?)",
                [(run_id, utf8_safe(k), float(v)) for k, v in run.metrics.items() if math.isfinite(float(v))],
            )
            con.executemany(
                "INSERT INTO gaps VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(run_id, pos, *utf8_safe([g.code, g.severity, g.check, g.message]), g.count) for pos, g in enumerate(run.gaps)],
            )
        return run_id

    def record(self, report: Report, label: str | None = None) -> int:
        """Write the run a report describes."""
        return self.add(run_from_report(report, label))

    def runs(self, last: int | None = None) -> list[Run]:
        """Runs in the order they were recorded (the last ``last`` of them), with metrics and gaps."""
        sql = "SELECT id, time, label, path, sha256, bytes, format, verdict, tool_version FROM runs ORDER BY id"
        rows = self._con.execute(sql).fetchall()
        if last is not None:
            rows = rows[-last:] if last > 0 else []
        if not rows:
            return []
        first = rows[0][0]
        metrics: dict[int, dict[str, float]] = {}
        for run_id, name, value in self._con.execute("SELECT run_id, name, value FROM metrics WHERE run_id >= ?", (first,)):
            metrics.setdefault(run_id, {})[name] = value
        gaps: dict[int, list[GapRow]] = {}
        for run_id, code, sev, check, msg, count in self._con.execute(
            "SELECT run_id, code, severity, check_name, message, count FROM gaps WHERE run_id >= ? ORDER BY run_id, position", (first,)
        ):
            gaps.setdefault(run_id, []).append(GapRow(code, sev, check, msg, count))
        return [
            Run(
                id=r[0], time=r[1], label=r[2], path=r[3], sha256=r[4], bytes=r[5], format=r[6], verdict=r[7], tool_version=r[8],
                metrics=metrics.get(r[0], {}), gaps=tuple(gaps.get(r[0], ())),
            )
            for r in rows
        ]

    def integrity(self) -> str:
        """SQLite's own integrity check: 'ok' when the file is sound."""
        return str(self._con.execute("PRAGMA integrity_check").fetchone()[0])


def record(report: Report, path: Path | str, label: str | None = None) -> int:
    """Open the history at ``path``, write the run, close it."""
    with History(path) as history:
        return history.record(report, label)


__all__ = [
    "History",
    "HistoryError",
    "Run",
    "GapRow",
    "SCHEMA_VERSION",
    "default_path",
    "history_target",
    "check_file",
    "flatten_metrics",
    "record",
    "run_from_report",
]

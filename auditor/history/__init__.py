"""Run history and trends: one row per audit in SQLite, and what the rows say over time.

``store`` keeps the runs (``record``, ``History``), ``trends`` reads a metric's
course and names regressions, ``render`` draws them as a table, JSON or a
chart for ``auditor history``. The Python API documented in the README is
``auditor.history.record(report, path, label=...)`` and
``auditor.history.History(path).runs()``; it is re-exported here.
"""

from auditor.history.store import (
    SCHEMA_VERSION,
    GapRow,
    History,
    HistoryError,
    Run,
    check_file,
    default_path,
    flatten_metrics,
    history_target,
    record,
)

__all__ = [
    "SCHEMA_VERSION",
    "GapRow",
    "History",
    "HistoryError",
    "Run",
    "check_file",
    "default_path",
    "flatten_metrics",
    "history_target",
    "record",
]

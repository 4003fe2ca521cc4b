"""Load any supported source into a normalised ``Dataset``.

Paths (JSONL, JSON array, CSV/TSV, Parquet, optionally gzipped; a folder saved
with ``datasets``), an in-memory ``datasets.Dataset`` or a pandas DataFrame.
Every row either becomes a record or a LoadProblem with its position and
reason; a source that cannot be read at all raises InputError (exit code 2).
The input is only ever opened for reading.

The way through, one module each, never back:

- ``dispatch``: the one dispatcher (``load``): checks the source, asks what it
  is, hands it to the reader for its kind, builds the dataset;
- ``detect``: what a source is (kind, encoding, binary, record layout);
- ``source``: opening files and reading their bytes as bounded UTF-8 text;
- ``readers``: rows from each kind of source (``jsonvalues`` reads JSON values);
- ``columns``: rows into the dataset's columns (``mapping`` maps one row);
- ``limits``: how much may be read; ``parallel`` and ``sidehash``: reading a
  large file on several cores.
"""

from __future__ import annotations

from auditor.load.columns import FILL_BATCH, OnBatch, Plan, build, empty_like, fill, plan
from auditor.load.detect import FILE_KINDS
from auditor.load.dispatch import GROUP_FIELDS, InputInfo, load
from auditor.load.limits import Limits

__all__ = [
    "FILE_KINDS",
    "FILL_BATCH",
    "GROUP_FIELDS",
    "InputInfo",
    "Limits",
    "OnBatch",
    "Plan",
    "build",
    "empty_like",
    "fill",
    "load",
    "plan",
]

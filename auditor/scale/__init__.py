"""A partitioned ("map, then reduce") audit of the checks that can run without the texts.

The in-memory engine holds every text (about 1.3 times the file, plus the
normalised copies): fine to a few GB, out of memory at ten million records.
Here a JSONL file is cut at line starts into partitions of about
``scale.partition_mb``, each read, measured and dropped by one forked worker
(the stream engine); or Spark reads whatever it reads (files on any Hadoop
file system, JSON lines gzipped or not, Parquet, a table: ``sparksource``) and
its executors measure each partition (``sparkrun``). Only compact per-record
numbers come back to the driver's memory: no text (a Spark run also copies
the valid records to the driver's temporary disk, to read back the few a
finding shows or a near-duplicate verification needs). What is measured is decided by the
checks, through the partitioned-check protocol of the engine
(``auditor.core.partitioned``): a check that implements it (count,
duplicates, quality, or a plugin) names the shared features it reads and
measures what else it needs; the driver merges each into the run's context,
reads back by byte offset the few records a finding shows or a
near-duplicate verification needs, and the checks judge. Nothing here names
a check. See ``audit.py`` for the stages and benchmarks/scale.md for where
one machine stops.
"""

from auditor.scale.audit import ENGINES, Prepared, audit_partitioned, choose_engine

__all__ = ["ENGINES", "Prepared", "audit_partitioned", "choose_engine"]

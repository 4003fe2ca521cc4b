"""A partitioned ("map, then reduce") audit of the checks that scale: count, duplicates, quality.

The in-memory engine holds every text (about 1.3 times the file, plus the
normalised copies): fine to a few GB, out of memory at ten million records.
Here a JSONL file is cut at line starts into partitions of about
``scale.partition_mb``; each partition is read, measured and dropped by one
worker (``local``: forked processes; ``spark``: pyspark), and only compact
per-record numbers come back (hashes, lengths, word counts, the quality scan's
hits, MinHash band keys): no text. The driver reduces them into exactly the
features the in-memory checks compute (exact groups, input groups, near
duplicate pairs, quality measures), reads back by byte offset the few records
a finding shows or a near-duplicate verification needs, and runs the same
check code on them. See ``audit.py`` for the stages and docs/scale in
benchmarks/scale.md for where one machine stops.
"""

from auditor.scale.audit import ENGINES, audit_partitioned, choose_engine

__all__ = ["ENGINES", "audit_partitioned", "choose_engine"]

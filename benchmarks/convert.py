"""A generated JSON lines file as the other sources the spark engine reads: one Parquet file, or gzipped parts.

    python benchmarks/convert.py parquet /work/bigdata/gen_10000000.jsonl /work/bigdata/gen_10000000.parquet
    python benchmarks/convert.py gzparts /work/bigdata/gen_10000000.jsonl /work/bigdata/gen_10000000.gz --parts 16
    python benchmarks/convert.py parquet gen_10000000.jsonl gen_1000000.parquet --records 1000000   # the first N

Both stream: a batch of rows at a time (``--rows``, the Parquet row group),
so a 10M-record file converts in a few hundred MiB. Records keep their order,
so record i of the source is row i of the Parquet file and line i of the
parts read one after the other, and a run on either gives the findings of a
run on the JSON lines (``bench_scale.py --findings``). The Parquet schema is
inferred from the first batch (every key of the generator's records appears
in it); a record without a key gets a null there. Parts are cut by record
count (the last takes the rest), gzip level 6 (``--level``), named ``part-00000.jsonl.gz``
on. The output must not exist yet: nothing is overwritten.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson


def batches(path: Path, rows: int, records: int | None) -> Iterator[list[bytes]]:
    """The file's non-blank lines (the first ``records`` of them), ``rows`` at a time."""
    with open(path, "rb") as fh:
        lines = (line for line in fh if line.strip())
        if records is not None:
            lines = itertools.islice(lines, records)
        while batch := list(itertools.islice(lines, rows)):
            yield batch


def _progress(done: int) -> None:
    print(f"{done:,} records", file=sys.stderr, flush=True)


def to_parquet(source: Path, target: Path, rows: int, records: int | None) -> int:
    import pyarrow as pa  # the bench extra's; only this subcommand needs it
    import pyarrow.parquet as pq

    writer = None
    done = 0
    try:
        for batch in batches(source, rows, records):
            # pa.array infers a struct of every key of the batch (from_pylist would take the first record's keys only).
            rows_as = pa.array([orjson.loads(line) for line in batch], type=pa.struct(list(writer.schema)) if writer else None)
            table = pa.Table.from_struct_array(rows_as)
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=rows)
            done += len(batch)
            _progress(done)
    finally:
        if writer is not None:
            writer.close()
    return done


def to_parts(source: Path, target: Path, parts: int, rows: int, records: int | None, level: int) -> int:
    total = records if records is not None else sum(1 for line in open(source, "rb") if line.strip())
    per_part = -(-total // parts)
    target.mkdir(parents=True)
    done = 0
    out = None
    try:
        for batch in batches(source, rows, total):
            for line in batch:
                if done % per_part == 0:
                    if out is not None:
                        out.close()
                    out = gzip.open(target / f"part-{done // per_part:05d}.jsonl.gz", "wb", compresslevel=level)
                out.write(line if line.endswith(b"\n") else line + b"\n")
                done += 1
            _progress(done)
    finally:
        if out is not None:
            out.close()
    return done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=("parquet", "gzparts"))
    ap.add_argument("source", type=Path)
    ap.add_argument("target", type=Path)
    ap.add_argument("--records", type=int, default=None, help="only the first N records")
    ap.add_argument("--rows", type=int, default=50_000, help="records per batch (and per Parquet row group)")
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--level", type=int, default=6, help="gzip level of the parts (1: about three times faster, larger)")
    args = ap.parse_args()
    if args.target.exists():
        sys.exit(f"{args.target} exists; not overwritten")
    if args.kind == "parquet":
        n = to_parquet(args.source, args.target, args.rows, args.records)
    else:
        n = to_parts(args.source, args.target, args.parts, args.rows, args.records, args.level)
    print(f"{n:,} records written to {args.target}")


if __name__ == "__main__":
    main()

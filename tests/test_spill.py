"""The driver's compressed copy of a Spark source's records (``auditor.scale.spill``) reads back every line exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.scale import spill as spill_module
from auditor.scale.spill import Spill, pack

lines = st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b" ")), max_size=40)


@settings(max_examples=100, deadline=None)
@given(st.lists(lines, max_size=5), st.sampled_from([1, 64, 1 << 15]))
def test_every_line_reads_back_from_its_offset(parts: list[list[bytes]], block: int) -> None:
    """Partitions appended in order (some through a file, as local executors write them); each line read back by
    its offset in the uncompressed lines, whatever the block size cuts."""
    old = spill_module.BLOCK
    spill_module.BLOCK = block
    try:
        copy = Spill()
        offsets: list[int] = []
        for k, part in enumerate(parts):
            raw = b"".join(line + b"\n" for line in part)
            packed = pack(raw)
            assert len(packed.data) == int(packed.sizes.sum()) and packed.raw_bytes == len(raw)
            starts = np.cumsum([0] + [len(line) + 1 for line in part[:-1]]) if part else np.zeros(0, np.int64)
            offsets.extend(int(s) + copy.size for s in starts)
            copy.append(packed)
        copy.done()
        every = [line for part in parts for line in part]
        for i, (offset, line) in enumerate(zip(offsets, every)):
            assert copy.read(offset, len(line)) == line, i
        assert copy.size == sum(len(line) + 1 for line in every)
        copy.close()
    finally:
        spill_module.BLOCK = old


def test_blocks_end_at_a_newline_and_compress(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = b"".join(b'{"input": "word %d", "output": "the same words again and again"}\n' % i for i in range(5000))
    packed = pack(raw)
    assert len(packed.starts) > 1
    assert all(raw[s - 1 : s] == b"\n" for s in packed.starts[1:].tolist())  # a line never straddles two blocks
    assert len(packed.data) < len(raw) / 3
    copy = Spill()
    path = tmp_path / "part"
    path.write_bytes(packed.data)
    copy.append_file(str(path), packed)  # as a local executor hands it over: the file is consumed
    assert not path.exists()
    copy.done()
    assert copy.compressed_bytes == len(packed.data)
    at = raw.index(b'"word 4321"') - len(b'{"input": ')
    assert copy.read(at, 20) == raw[at : at + 20]
    copy.close()

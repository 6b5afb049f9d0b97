"""The batch's wire formats: each packing gives back what was packed."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from hanchot.batch.wire import (
    CODE_MASK,
    MAX_BUCKETS,
    NO_NEWLINE,
    Chunk,
    PartitionTask,
    entry_home,
    entry_line,
    light_offset,
    light_source,
    pack_entry,
    pack_light,
)


@given(st.integers(0, 2**40), st.integers(0, MAX_BUCKETS - 1), st.booleans())
def test_an_index_entry_keeps_line_home_and_newline(line: int, home: int, no_newline: bool) -> None:
    """A spilled line's entry gives back its line, its home bucket and whether it lacked a newline."""
    entry = pack_entry(line, home, no_newline)
    assert (entry_line(entry), entry_home(entry), bool(entry & NO_NEWLINE)) == (line, home, no_newline)
    assert entry < 2**63  # it fits array("q")


@given(st.integers(0, 2**40 - 1), st.integers(0, CODE_MASK), st.integers(0, 2**19 - 1))
def test_a_light_reference_keeps_offset_code_and_source(offset: int, code: int, source: int) -> None:
    """The router's reference (offset, code), with the partition's source added, reads back whole."""
    ref = pack_light(offset, code) | pack_light(0, 0, source)
    assert (light_offset(ref), ref & CODE_MASK, light_source(ref)) == (offset, code, source)
    assert ref < 2**63


def test_a_partition_task_names_its_chunks_in_file_order_and_pickles() -> None:
    """A task holds, per route task, the chunks of its buckets sorted by offset; it crosses processes."""
    chunks = {0: [Chunk(100, 1, 8, 0, 0)], 1: [Chunk(0, 1, 8, 0, 0), Chunk(200, 1, 8, 0, 0)], 2: [Chunk(50, 1, 8, 0, 0)]}
    task = PartitionTask.of(0, (0, 1), [(3, "jsonl", "in.jsonl", 0, chunks)])
    (spill,) = task.tasks
    assert [(c.bucket, c.chunk.offset) for c in spill.chunks] == [(1, 0), (0, 100), (1, 200)]
    assert pickle.loads(pickle.dumps(task)) == task

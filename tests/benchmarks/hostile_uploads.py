"""How long, and how much memory, reading each crafted spreadsheet costs before it is refused.

    python -m tests.benchmarks.hostile_uploads

Builds each file in memory (tests/crafted_files.py), then reads it with spreadsheets.read_table
twice: once for the time (wall clock, and CPU, the fairer figure on a busy machine) and the growth
of the process's peak resident memory (VmHWM, reset through /proc/self/clear_refs), once under
tracemalloc for the peak of Python's allocations.
The goal: every hostile file refused within 1 s and 64 MB; 20,000 rows exactly are accepted.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from portal.spreadsheets import UnreadableFile, read_table
from tests import crafted_files as crafted

MB = 1024 * 1024
CASES: list[tuple[str, Callable[[], bytes], bool]] = [  # (name, build, hostile)
    ("300 MB of shared strings", crafted.huge_shared_strings, True),
    ("dimension A1:XFD1048576", crafted.huge_dimension, True),
    ("a value in row 1,048,576", crafted.far_away_cell, True),
    ("a value in column XFD", lambda: crafted.far_away_cell("XFD3"), True),
    ("1,000 x 1,000 empty styled cells", crafted.many_empty_styled_cells, True),
    ("XML nested 100,000 deep", crafted.deep_xml, True),
    ("entity expansion (DOCTYPE)", crafted.entity_expansion, True),
    ("CSV with one 10 MB field", crafted.csv_with_huge_field, True),
    ("CSV row of 1,000,000 cells", crafted.csv_with_many_columns, True),
    ("20,000 rows (CSV)", lambda: crafted.people_csv(20_000), False),
    ("20,000 rows (.xlsx)", lambda: crafted.people_xlsx(20_000), False),
]


def _status(field: str) -> int:
    """A memory figure of this process from /proc, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read(data: bytes) -> str:
    try:
        rows = read_table(data)
    except UnreadableFile as refused:
        return f"refused: {refused}"
    return f"accepted: {len(rows) - 1:,} rows below the header"


def main() -> None:
    print(f"{'file':34} {'size':>9} {'time':>7} {'CPU':>7} {'RSS +':>8} {'traced':>8}  outcome")
    failures = []
    for name, build, hostile in CASES:
        data = build()
        gc.collect()
        resettable = _reset_peak()
        before = _status("VmRSS")
        began, began_cpu = time.perf_counter(), time.process_time()
        outcome = _read(data)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        growth = (_status("VmHWM") - before) if resettable else 0
        tracemalloc.start()
        _read(data)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{name:34} {len(data) / 1024:7,.0f} KB {elapsed:6.2f}s {cpu:6.2f}s "
            f"{growth / MB:6.1f} MB {traced / MB:6.1f} MB  {outcome}"
        )
        refused = outcome.startswith("refused")
        if hostile and not refused:
            failures.append(f"{name}: accepted")
        if hostile and (elapsed > 1 or max(growth, traced) > 64 * MB):
            failures.append(f"{name}: over 1 s or 64 MB")
        if not hostile and refused:
            failures.append(f"{name}: refused")
        del data
    print("goal met: every hostile file refused within 1 s and 64 MB" if not failures else "")
    for failure in failures:
        print(f"NOT MET: {failure}")


if __name__ == "__main__":
    main()

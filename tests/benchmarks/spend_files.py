"""How long reading a year of a big city's spend files takes, and the memory it needs.

    python -m tests.benchmarks.spend_files [--payments 42000] [--layout city]

Writes twelve monthly files (tests/spend_files.py) in the layout asked for, then reads each as
the loader will (find the header, propose the columns, read every row) and adds the amounts:
three runs, the fastest reported, and the peak memory tracemalloc saw while reading (the files
themselves, already in memory, are not counted). Reading only: no database.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from decimal import Decimal

from portal.domain.spend import propose_mapping
from portal.spend_files import SpendRow, find_header, read_spend_file
from tests import spend_files

MB = 1024 * 1024


def read_all(files: list[tuple[str, bytes]]) -> tuple[int, int, Decimal]:
    """(rows read, rows refused, net total)."""
    rows = refused = 0
    total = Decimal(0)
    for _, data in files:
        columns = propose_mapping(find_header(data).headers)
        for _, row in read_spend_file(data, columns):
            rows += 1
            if isinstance(row, SpendRow):
                total += row.amount
            else:
                refused += 1
    return rows, refused, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=42_000)
    parser.add_argument("--layout", default="city", choices=["city", "template", "template-xlsx"])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    files = spend_files.year_of_files(options.layout, 2024, options.payments)
    size = sum(len(data) for _, data in files)
    print(
        f"{options.layout}: {len(files)} files, {options.payments:,} payments, {size / MB:.1f} MB"
    )
    timings = []
    for _ in range(options.runs):
        started = time.perf_counter()
        rows, refused, total = read_all(files)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    read_all(files)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"read {rows:,} rows ({refused} refused), net total £{total:,.2f}")
    print(
        f"fastest of {options.runs}: {min(timings):.2f} s "
        f"({min(timings) / rows * 1e6:.1f} µs a row); peak memory while reading {peak / MB:.1f} MB"
    )


if __name__ == "__main__":
    main()

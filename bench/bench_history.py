"""Does the daily update grow with the warehouse? The same Sunday update on 83 and on 27 days of history.

    .venv/bin/python bench/bench_history.py [--mentions 10000000] [--repeat 3] [--dir DIR]

Why this bench exists: ``bench_signals.py`` times the update after 27 days of history once, and one
run on a shared 2-core machine swings by +-30 %: too much to tell a small growth with the warehouse
from noise. This bench builds the two warehouses of ``bench_signals.py`` (the same daily volume,
MENTIONS over 90 days; 83 and 27 days loaded and fully rebuilt), then alternates the same 1-day
update (a Sunday, so the network recomputes a whole week) on a fresh copy of each, REPEAT times,
and reports each run's CPU seconds and the medians' ratio. With ``--dir``, warehouses built by an
earlier run of this bench with the same code are reused (a code change to the signals makes the
update a full rebuild, so rebuild them after one).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from bench_signals import START, build_history, console, load, post_index, timed_rebuild
from signals.rebuild import rebuild_signals
from signals.warehouse import Warehouse

HISTORIES = (83, 27)


def base_warehouse(directory: Path, days: int, per_day: float) -> Path:
    """A warehouse of ``days`` days, fully rebuilt: built once, then copied for each run."""
    path = directory / f"history-{days}.duckdb"
    if path.exists():
        console.print(f"reusing {path}")
        return path
    warehouse, _ = build_history(path, days, per_day)
    rebuild_signals(warehouse, {START + timedelta(days=n) for n in range(days)}, refresh_search=False)
    with warehouse.write() as con:
        con.execute("CHECKPOINT")
    return path


def sunday_update(base: Path, days: int, per_day: float) -> float:
    """CPU seconds of loading day ``days`` into a copy of ``base`` and rebuilding it (as pending)."""
    copy = base.with_name(f"run-{base.name}")
    shutil.copy(base, copy)
    try:
        warehouse = Warehouse(copy)
        lo = post_index(START + timedelta(days=days), per_day)
        hi = post_index(START + timedelta(days=days + 1), per_day)
        load(warehouse, lo, hi, days, 1, per_day, pending=True)
        console.print(f"1 Sunday after {days} days of history:")
        _, cpu, _ = timed_rebuild(warehouse)
        return cpu
    finally:
        copy.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=10_000_000, help="over 90 days")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to keep the warehouses (default: a temp dir)")
    args = parser.parse_args()
    per_day = args.mentions / 90
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        bases = {days: base_warehouse(directory, days, per_day) for days in HISTORIES}
        runs: dict[int, list[float]] = {days: [] for days in HISTORIES}
        for _ in range(args.repeat):
            for days in HISTORIES:
                runs[days].append(sunday_update(bases[days], days, per_day))
    medians = {days: statistics.median(cpu) for days, cpu in runs.items()}
    for days in HISTORIES:
        console.print(f"{days} days of history: CPU s {', '.join(f'{c:.1f}' for c in runs[days])}; "
                      f"median {medians[days]:.1f}")
    console.print(f"27 days / 83 days, medians: {medians[27] / medians[83]:.2f}x")


if __name__ == "__main__":
    main()

"""Run the benchmark suite: ``python -m benchmarks`` (``make bench``).

Prints each part's table and writes ``benchmarks/RESULTS.md``. The default sizing finishes in
well under ten minutes on a two-core machine; ``--quick`` is a much shorter smoke run whose
numbers are only indicative, and ``--parts`` picks a subset.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import (
    bulk_send,
    client_overhead,
    emulator_throughput,
    instructions,
    machine,
    memory,
    pytest_fixture,
    report,
    scale,
)
from benchmarks.results import PartResult, render_part

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
# `make bench` must end within ten minutes on two cores; keep a margin for start-up and writing.
SUITE_BUDGET_SECONDS = 540.0
MIN_MEMORY_SECONDS = 60.0


def _parts(
    quick: bool,
    profile: bool,
    memory_budget: Callable[[], float | None],
    fixture_baseline: Path | None = None,
) -> dict[str, Callable[[], PartResult]]:
    # Durations per cell; the full run's are sized so the whole suite fits its time budget.
    rounds, duration, warmup = (1, 1.0, 0.3) if quick else (3, 3.0, 0.5)
    return {
        "client": lambda: client_overhead.run(
            rounds=rounds, duration=duration, warmup=warmup, profile=profile
        ),
        "emulator": lambda: emulator_throughput.run(
            rounds=1 if quick else 2,
            duration=duration if quick else 5.0,
            warmup=warmup,
            profile=profile,
        ),
        "scale": lambda: scale.run_listing(
            rounds=1, duration=duration if quick else 3.0, warmup=warmup, profile=profile
        ),
        "memory": lambda: memory.run(
            sends=5_000 if quick else memory.MEMORY_SENDS, budget_seconds=memory_budget()
        ),
        "instructions": lambda: instructions.run(
            many_sends=instructions.QUICK_MANY_SENDS if quick else instructions.MANY_SENDS
        ),
        "fixture": lambda: pytest_fixture.run(
            tests=pytest_fixture.QUICK_TESTS if quick else pytest_fixture.TESTS,
            rounds=pytest_fixture.QUICK_ROUNDS if quick else pytest_fixture.ROUNDS,
            profile=profile,
            baseline=fixture_baseline,
        ),
        "bulk": lambda: bulk_send.run(
            rows=bulk_send.QUICK_ROWS if quick else bulk_send.ROWS,
            first_seconds=bulk_send.QUICK_RUN_SECONDS if quick else bulk_send.FIRST_RUN_SECONDS,
            resumed_seconds=(
                bulk_send.QUICK_RUN_SECONDS if quick else bulk_send.RESUMED_RUN_SECONDS
            ),
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--parts",
        # The memory part takes what is left of the suite's budget, so it comes last.
        default="client,emulator,scale,fixture,bulk,memory",
        help=(
            "comma-separated subset of: client, emulator, scale, fixture, bulk, memory, and"
            " instructions"
            " (not run by default: slow, and needs valgrind)"
        ),
    )
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="the results file")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--memory-budget",
        type=float,
        default=None,
        help="seconds for the memory part (default: what is left of the suite's budget)",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the py-spy profiles of missed targets"
    )
    parser.add_argument(
        "--fixture-baseline",
        type=Path,
        default=None,
        metavar="SRC",
        help="a folder holding another version's notify_emulator (e.g. an older commit's src/):"
        " the fixture part times its fixture too, round by round, for before-and-after numbers",
    )
    args = parser.parse_args(argv)
    clock = time.perf_counter()

    def memory_budget() -> float | None:
        # The memory part runs last and takes what is left of the suite's budget.
        if args.memory_budget is not None:
            return float(args.memory_budget)
        return max(MIN_MEMORY_SECONDS, SUITE_BUDGET_SECONDS - (time.perf_counter() - clock))

    baseline = args.fixture_baseline.resolve() if args.fixture_baseline else None
    available = _parts(args.quick, not args.no_profile, memory_budget, baseline)
    chosen = [name.strip() for name in args.parts.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(available)}")

    started = datetime.now(timezone.utc)
    load_at_start = machine.load_average()
    results: list[PartResult] = []
    for name in chosen:
        print(f"== {name} ...", flush=True)
        part_clock = time.perf_counter()
        part = available[name]()
        part.notes.append(f"Part took {time.perf_counter() - part_clock:.0f}s.")
        results.append(part)
        print(render_part(part), flush=True)
    seconds = time.perf_counter() - clock

    command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
    if not args.no_write:
        text = report.render(
            started=started.strftime("%Y-%m-%d %H:%M UTC"),
            seconds=seconds,
            command=command.strip(),
            machine=[
                *machine.describe(),
                ("load average at start (1/5/15 min)", load_at_start),
                ("load average at end", machine.load_average()),
            ],
            parts=results,
            findings=report.kept_findings(args.output),
        )
        args.output.write_text(text)
        print(f"wrote {args.output}")
    print(report.summary(results))
    print(f"total {seconds:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

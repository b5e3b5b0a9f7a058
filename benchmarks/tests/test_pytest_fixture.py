"""Tests of the ``fixture`` part's harness: the generated tests, the timing plugin and the
arithmetic of its report (no timings are asserted)."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks import pytest_fixture as part
from benchmarks import pytest_timing
from benchmarks.results import PartResult

pytest_plugins = ["pytester"]


def _test_functions(source: str) -> dict[str, list[str]]:
    tree = ast.parse(source)
    return {
        node.name: [argument.arg for argument in node.args.args]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


@pytest.mark.parametrize(
    ("variant", "fixtures"),
    [
        (part.FIXTURE, ["notify_emulator"]),
        (part.MOCK, ["requests_mock"]),
        (part.LOOPBACK, ["bare_endpoint"]),
        (part.EMPTY, []),
    ],
)
def test_each_file_holds_the_tests_asked_for_with_their_fixture(
    variant: str, fixtures: list[str]
) -> None:
    functions = _test_functions(part.test_module(variant, 7))
    assert len(functions) == 7
    assert all(arguments == fixtures for arguments in functions.values())


def test_the_generated_tests_pass_and_are_timed(tmp_path: Path) -> None:
    files = part.write_project(tmp_path, 3)
    for variant in part.VARIANTS:
        part.warm_up(tmp_path, variant, files[variant], cpu=None)
        timing = part.run_pytest(tmp_path, variant, files[variant], cpu=None)
        assert timing.variant == variant
        assert timing.tests == 3
        assert (timing.session_start_s is not None) == (variant == part.FIXTURE)


def _record(starts: list[float], *, failed: int | None = None, session: float | None = None) -> Any:
    tests = [
        {
            "nodeid": f"test_x.py::test_{index}",
            "start": start,
            "end": start + 0.5,
            "start_cpu": start / 2,
            "end_cpu": start / 2 + 0.25,
            "passed": index != failed,
        }
        for index, start in enumerate(starts)
    ]
    setup = {} if session is None else {pytest_timing.SESSION_FIXTURE: session}
    return {"exitstatus": 0 if failed is None else 1, "tests": tests, "fixture_setup": setup}


def test_the_cost_per_test_leaves_the_first_and_the_last_test_out() -> None:
    # The first test takes 10 s (the session start); the next four start a second apart; the
    # last takes 2 s (its tear-down stops the emulator).
    record = _record([0.0, 10.0, 11.0, 12.0, 13.0, 14.0], session=9.0)
    record["tests"][0]["end"] = 10.0
    record["tests"][-1]["end"] = 16.0
    timing = part.summarise(part.FIXTURE, record, process_seconds=20.0)
    # From the second test's start (10.0) to the fifth's end (13.5), over four tests.
    assert timing.per_test_ms == pytest.approx(875.0)
    assert timing.cpu_per_test_ms == pytest.approx(1000 * (6.5 + 0.25 - 5.0) / 4)
    assert timing.p50_ms == pytest.approx(500.0)
    assert timing.first_test_ms == pytest.approx(10_000.0)
    assert timing.session_start_s == 9.0
    assert timing.session_end_s == pytest.approx(1.5)


def test_a_failed_or_too_short_run_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"failed: test_x.py::test_2"):
        part.summarise(part.MOCK, _record([0.0, 1.0, 2.0], failed=2), process_seconds=1.0)
    with pytest.raises(RuntimeError, match="at least 3"):
        part.summarise(part.MOCK, _record([0.0, 1.0]), process_seconds=1.0)


def _timing(variant: str, per_test_ms: float, session: float | None = None) -> part.RunTiming:
    return part.RunTiming(
        variant=variant,
        tests=200,
        per_test_ms=per_test_ms,
        cpu_per_test_ms=per_test_ms,
        p50_ms=per_test_ms,
        p99_ms=per_test_ms,
        first_test_ms=1.0,
        last_test_ms=per_test_ms,
        session_start_s=session,
        process_s=2.0,
    )


def test_ratios_pair_the_runs_of_each_round_and_skip_incomplete_rounds() -> None:
    rounds = [
        {
            part.FIXTURE: _timing(part.FIXTURE, 6.0),
            part.MOCK: _timing(part.MOCK, 2.0),
            part.EMPTY: _timing(part.EMPTY, 1.0),
        },
        {part.FIXTURE: _timing(part.FIXTURE, 9.0), part.EMPTY: _timing(part.EMPTY, 1.0)},
        {part.FIXTURE: _timing(part.FIXTURE, 4.0), part.MOCK: _timing(part.MOCK, 1.0)},
    ]
    assert part.paired_ratios(rounds) == [3.0, 4.0]
    assert part.paired_ratios(rounds, net=True) == [5.0]


def test_the_report_checks_both_targets() -> None:
    result = PartResult("fixture")
    rounds = [
        {
            part.FIXTURE: _timing(part.FIXTURE, 3.0, session=0.4),
            part.MOCK: _timing(part.MOCK, 1.0),
            part.EMPTY: _timing(part.EMPTY, 0.5),
        },
        {
            part.FIXTURE: _timing(part.FIXTURE, 4.0, session=0.7),
            part.MOCK: _timing(part.MOCK, 1.0),
            part.EMPTY: _timing(part.EMPTY, 0.5),
        },
    ]
    rounds[0][part.LOOPBACK] = _timing(part.LOOPBACK, 2.0)
    part.report(result, rounds)
    ratio, start = result.checks
    assert (ratio.measured, ratio.passed) == ("3.50× (3.50 / 1.00 ms)", False)
    assert (start.measured, start.passed) == ("0.55 s (slowest 0.70 s)", False)
    assert [row.subject for row in result.rows] == [
        "notify_emulator fixture",
        "requests-mock",
        "bare endpoint in the test process",
        "empty test",
        "notify_emulator fixture",
    ]
    net, floor = result.notes
    assert "Net of pytest's own cost per test" in net
    assert "6.00×" in net  # ((3 - 0.5) / 0.5 + (4 - 0.5) / 0.5) / 2
    assert "costs 2.00× a requests-mock test" in floor  # the one round with a loopback run


def test_a_report_without_runs_measures_nothing() -> None:
    result = PartResult("fixture")
    part.report(result, [{}])
    assert [check.passed for check in result.checks] == [None, None]
    assert result.rows == []


def test_rounds_rotate_the_order_of_the_runs() -> None:
    count = len(part.VARIANTS)
    orders = [part.rotated(part.VARIANTS, index) for index in range(count + 1)]
    assert orders[0] == list(part.VARIANTS)
    assert [order[0] for order in orders[:count]] == list(part.VARIANTS)
    assert orders[count] == orders[0]


def test_the_timing_plugin_records_each_test_and_the_outcome(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = pytester.path / "timing.json"
    monkeypatch.setenv(pytest_timing.OUTPUT_ENV, str(output))
    pytester.makepyfile(
        """
        def test_passes():
            pass

        def test_fails():
            assert False
        """
    )
    pytester.runpytest("-p", "benchmarks.pytest_timing", "-p", "no:asyncio")
    record = json.loads(output.read_text())
    assert record["exitstatus"] == 1
    assert [(t["nodeid"].split("::")[1], t["passed"]) for t in record["tests"]] == [
        ("test_passes", True),
        ("test_fails", False),
    ]
    assert all(t["end"] >= t["start"] and t["end_cpu"] >= t["start_cpu"] for t in record["tests"])
    assert record["fixture_setup"] == {}  # no emulator was started


def test_without_its_variable_the_timing_plugin_writes_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pytest_timing.OUTPUT_ENV, raising=False)
    pytester.makepyfile("def test_passes():\n    pass\n")
    result = pytester.runpytest("-p", "benchmarks.pytest_timing", "-p", "no:asyncio")
    result.assert_outcomes(passed=1)
    assert not list(pytester.path.rglob("*.json"))


def test_a_baseline_tree_gets_a_row_and_a_ratio_per_round() -> None:
    result = PartResult("fixture")
    rounds = [
        {
            part.FIXTURE: _timing(part.FIXTURE, 2.0, session=0.5),
            part.BASELINE: _timing(part.BASELINE, 8.0, session=2.0),
            part.MOCK: _timing(part.MOCK, 1.0),
        },
        {
            part.FIXTURE: _timing(part.FIXTURE, 3.0, session=0.5),
            part.BASELINE: _timing(part.BASELINE, 9.0, session=1.0),
        },
    ]
    part.report(result, rounds)
    part.compare_with_baseline(result, rounds, Path("/old/src"))
    assert [row.subject for row in result.rows][:2] == [
        "notify_emulator fixture",
        "notify_emulator fixture, baseline tree",
    ]
    assert "session start 1.50 s" in result.rows[1].note
    # Per test 4× and 3×; session start 4× and 2×.
    assert result.notes[-1] == (
        "The baseline tree is /old/src; per test it takes 3.50× this tree's time, and 3.00× "
        "its session start (medians of the rounds' ratios)."
    )


def test_the_generated_tests_run_on_a_baseline_tree(tmp_path: Path) -> None:
    files = part.write_project(tmp_path, 3)
    source = Path(part.__file__).resolve().parents[1] / "src"
    part.warm_up(tmp_path, part.BASELINE, files[part.FIXTURE], None, source=source)
    timing = part.run_pytest(tmp_path, part.BASELINE, files[part.FIXTURE], None, source=source)
    assert (timing.variant, timing.tests) == (part.BASELINE, 3)


def test_the_runs_cache_bytecode_in_the_project_and_may_import_another_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPATH", "src")
    env = part.pytest_environment(tmp_path, Path("/old/src"))
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "bytecode")
    assert env["PYTHONPATH"].split(os.pathsep) == ["/old/src", "src"]
    assert part.pytest_environment(tmp_path)["PYTHONPATH"] == "src"


def test_the_warm_up_runs_each_files_first_test() -> None:
    assert [part.first_test(variant) for variant in part.VARIANTS] == [
        "test_nothing_0",
        "test_send_0",
        "test_send_0",
        "test_send_0",
    ]
    for variant in part.VARIANTS:
        assert part.first_test(variant) in _test_functions(part.test_module(variant, 1))
    assert part.first_test(part.BASELINE) == part.first_test(part.FIXTURE)

"""Part 5: the pytest plugin's ``notify_emulator`` fixture, against requests-mock.

Four pytest files of ``tests`` tests each are written to a temporary folder:

- ``fixture``: each test sends a text through ``notify_emulator.client`` and asserts the one
  message ``notify_emulator.sent()`` lists (its id and rendered body), so each pays the
  fixture's per-test reset, one real send over loopback and one ``sent()``;
- ``requests-mock``: each test mocks the answer of ``POST /v2/notifications/sms`` with the
  ``requests_mock`` fixture, sends the same text with the same client (made once, as the
  fixture's is made once per session) and asserts the request made and the answer's id;
- ``loopback``: each test sends the same text with the same client to the bare endpoint of
  part 2 (``benchmarks.bare_app``: Starlette answering a canned 201) served the way the
  fixture serves the emulator (``notify_emulator.server.BackgroundServer``, uvicorn in a
  thread of the test process), so it pays for a real send over loopback with no emulator
  behind it: the least any fixture that sends for real over HTTP can cost (not a target);
- ``empty``: each test does nothing, for pytest's own cost per test.

Each file runs in a pytest process of its own (``python -m pytest``), every process pinned to
the same core, the variants interleaved round by round in a rotating order. Compiled bytecode
is cached in the project's folder, and each file's first test runs once, untimed, before the
rounds, so no timed run compiles anything: a project's test runs find their modules compiled
by an earlier run (``PYTHONDONTWRITEBYTECODE``, if set here, is not passed on). The plugin
``benchmarks.pytest_timing`` reads the clock (wall and process CPU) as each test's run
protocol starts and ends, and times the emulator's session fixture. A run's cost per test is
the span from the start of its second test to the end of its last but one, divided by the
tests in it: the first test is left out, since the fixture's first test also starts the
emulator, and the last, whose tear-down stops it. That
span is what a suite pays per test, pytest's own work between tests included; the ``empty``
run's cost per test, measured the same way in the same round, is pytest's share of it, and
subtracting it gives each kind of test's own cost (the net ratio in the notes). The session
start is the set-up time of ``_notify_emulator_session`` in the first test: importing the
emulator, creating and seeding its database, and starting its server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import profiling, pytest_timing
from benchmarks.fixtures import CANNED_NOTIFICATION_ID
from benchmarks.procs import BENCH_PYTHON, PROJECT_ROOT, Cores
from benchmarks.results import Check, PartResult, Row, median, percentile

TESTS = 200
QUICK_TESTS = 40
ROUNDS = 5
QUICK_ROUNDS = 1
RATIO_TARGET = 3.0
SESSION_START_TARGET_SECONDS = 0.5
RUN_TIMEOUT_SECONDS = 300.0

FIXTURE, MOCK, LOOPBACK, EMPTY = "fixture", "requests-mock", "loopback", "empty"
# The fixture's tests again, with the plugin imported from another source tree (--baseline).
BASELINE = "fixture-baseline"
VARIANTS = (EMPTY, MOCK, LOOPBACK, FIXTURE)
SUBJECTS = {
    FIXTURE: "notify_emulator fixture",
    BASELINE: "notify_emulator fixture, baseline tree",
    MOCK: "requests-mock",
    LOOPBACK: "bare endpoint in the test process",
    EMPTY: "empty test",
}

# What every generated test sends: the demo service's text template (the fixture's default
# seed), and what the emulator renders from it.
DEMO_TEMPLATE_NAME = "Demo text message"
PHONE_NUMBER = "07700 900 456"
NAME = "Amala"
RENDERED_BODY = f"Hello {NAME}, this is a demo text."
# The requests-mock tests' identities: any well-formed key and ids will do, nothing checks them.
MOCK_BASE_URL = "https://api.notifications.service.gov.uk"
MOCK_SERVICE_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f902a01"
MOCK_API_KEY = f"test_key-{MOCK_SERVICE_ID}-0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f902a02"
MOCK_TEMPLATE_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f902a03"
MOCK_NOTIFICATION_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f902a04"

INI = "[pytest]\n"
_HEADERS = {
    FIXTURE: f"""\
PHONE_NUMBER = {PHONE_NUMBER!r}
PERSONALISATION = {{"name": {NAME!r}}}
BODY = {RENDERED_BODY!r}
""",
    MOCK: f"""\
from notifications_python_client.notifications import NotificationsAPIClient

CLIENT = NotificationsAPIClient({MOCK_API_KEY!r}, base_url={MOCK_BASE_URL!r})
SMS_URL = {MOCK_BASE_URL + "/v2/notifications/sms"!r}
PHONE_NUMBER = {PHONE_NUMBER!r}
TEMPLATE_ID = {MOCK_TEMPLATE_ID!r}
PERSONALISATION = {{"name": {NAME!r}}}
ANSWER = {{
    "id": {MOCK_NOTIFICATION_ID!r},
    "reference": None,
    "content": {{"body": {RENDERED_BODY!r}, "from_number": "GOVUK"}},
    "uri": {MOCK_BASE_URL + "/v2/notifications/" + MOCK_NOTIFICATION_ID!r},
    "template": {{"id": TEMPLATE_ID, "version": 1, "uri": "https://example.com/template"}},
    "scheduled_for": None,
}}
EXPECTED = {{
    "phone_number": PHONE_NUMBER,
    "template_id": TEMPLATE_ID,
    "personalisation": PERSONALISATION,
}}
""",
    LOOPBACK: f"""\
import pytest
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.server import BackgroundServer

from benchmarks.bare_app import create_bare_app

PHONE_NUMBER = {PHONE_NUMBER!r}
TEMPLATE_ID = {MOCK_TEMPLATE_ID!r}
PERSONALISATION = {{"name": {NAME!r}}}


@pytest.fixture(scope="session")
def bare_endpoint_client():
    with BackgroundServer(create_bare_app()) as server:
        client = NotificationsAPIClient({MOCK_API_KEY!r}, base_url=server.base_url)
        yield client
        client.request_session.close()


@pytest.fixture
def bare_endpoint(bare_endpoint_client):
    return bare_endpoint_client
""",
    EMPTY: "",
}
_TESTS = {
    FIXTURE: f"""
def test_send_{{index}}(notify_emulator):
    answer = notify_emulator.client.send_sms_notification(
        PHONE_NUMBER, notify_emulator.templates[{DEMO_TEMPLATE_NAME!r}], PERSONALISATION
    )
    (message,) = notify_emulator.sent()
    assert message["id"] == answer["id"]
    assert message["body"] == BODY
""",
    MOCK: """
def test_send_{index}(requests_mock):
    requests_mock.post(SMS_URL, json=ANSWER, status_code=201)
    answer = CLIENT.send_sms_notification(PHONE_NUMBER, TEMPLATE_ID, PERSONALISATION)
    (request,) = requests_mock.request_history
    assert request.json() == EXPECTED
    assert answer["id"] == ANSWER["id"]
""",
    LOOPBACK: f"""
def test_send_{{index}}(bare_endpoint):
    answer = bare_endpoint.send_sms_notification(PHONE_NUMBER, TEMPLATE_ID, PERSONALISATION)
    assert answer["id"] == {CANNED_NOTIFICATION_ID!r}
""",
    EMPTY: """
def test_nothing_{index}():
    pass
""",
}


def test_module(variant: str, count: int) -> str:
    """The source of a pytest file of ``count`` tests of one kind."""
    return _HEADERS[variant] + "".join(_TESTS[variant].format(index=i) for i in range(count))


@dataclass(frozen=True)
class RunTiming:
    """One pytest run of one variant."""

    variant: str
    tests: int
    per_test_ms: float  # wall time per test, between the first and the last
    cpu_per_test_ms: float  # the process's CPU time (every thread) per test, likewise
    p50_ms: float  # the median test's run protocol, likewise
    p99_ms: float
    first_test_ms: float
    last_test_ms: float  # its tear-down ends the session's fixtures (stops the emulator)
    session_start_s: float | None  # the emulator's session fixture, when there is one
    process_s: float  # the whole pytest process, interpreter start and collection included

    @property
    def session_end_s(self) -> float:
        """What the last test took beyond the median test: ending the session's fixtures."""
        return max(0.0, self.last_test_ms - self.p50_ms) / 1000


def summarise(variant: str, record: dict[str, Any], process_seconds: float) -> RunTiming:
    """A run's timings from what ``pytest_timing`` wrote; raises ``RuntimeError`` if any test
    failed or too few ran to leave out the first and the last."""
    tests = record["tests"]
    failed = [test["nodeid"] for test in tests if not test["passed"]]
    if failed or record["exitstatus"] != 0:
        shown = ", ".join(failed[:3]) or f"exit status {record['exitstatus']}"
        raise RuntimeError(f"the {variant} run failed: {shown}")
    if len(tests) < 3:
        raise RuntimeError(f"the {variant} run had {len(tests)} test(s): at least 3 are needed")
    # The first test's set-up starts the session's fixtures, the last's tear-down ends them.
    middle = tests[1:-1]
    span = middle[-1]["end"] - middle[0]["start"]
    cpu_span = middle[-1]["end_cpu"] - middle[0]["start_cpu"]
    durations = sorted(1000 * (test["end"] - test["start"]) for test in middle)
    session_start = record["fixture_setup"].get(pytest_timing.SESSION_FIXTURE)
    return RunTiming(
        variant=variant,
        tests=len(tests),
        per_test_ms=1000 * span / len(middle),
        cpu_per_test_ms=1000 * cpu_span / len(middle),
        p50_ms=percentile(durations, 0.50),
        p99_ms=percentile(durations, 0.99),
        first_test_ms=1000 * (tests[0]["end"] - tests[0]["start"]),
        last_test_ms=1000 * (tests[-1]["end"] - tests[-1]["start"]),
        session_start_s=None if session_start is None else float(session_start),
        process_s=process_seconds,
    )


def write_project(folder: Path, tests: int) -> dict[str, Path]:
    """The ini file and one test file per variant in ``folder``; returns the files by variant."""
    (folder / "pytest.ini").write_text(INI)
    files: dict[str, Path] = {}
    for variant in VARIANTS:
        path = folder / f"test_{variant.replace('-', '_')}.py"
        path.write_text(test_module(variant, tests))
        files[variant] = path
    return files


def pytest_command(folder: Path, target: str | Path) -> list[str]:
    """The pytest process for a file (or one test): the folder's own ini, the timing plugin,
    no cache."""
    return [
        BENCH_PYTHON,
        "-m",
        "pytest",
        "-q",
        "-c",
        str(folder / "pytest.ini"),
        "--rootdir",
        str(folder),
        "-p",
        "no:cacheprovider",
        # It would need its loop-scope option set; none of these tests is async.
        "-p",
        "no:asyncio",
        "-p",
        "benchmarks.pytest_timing",
        str(target),
    ]


def _pinned(cpu: int | None) -> Any:
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def pytest_environment(folder: Path, source: Path | None = None) -> dict[str, str]:
    """This process's environment for a pytest run from ``folder``.

    Compiled bytecode is written and read as in a project's test runs, where every module was
    compiled by an earlier run: in a folder of the project's own, ``PYTHONDONTWRITEBYTECODE``
    (which would make every run compile the emulator afresh) left out. With ``source``, that
    folder comes first on the import path (another tree's emulator).
    """
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder / "bytecode")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    return env


def first_test(variant: str) -> str:
    """The name of a variant's first test (the baseline runs the fixture's file)."""
    tests = _TESTS[FIXTURE if variant == BASELINE else variant]
    found = re.search(r"def (test_\w+)\(", tests.format(index=0))
    if found is None:
        raise ValueError(f"no test in the {variant} file")
    return found.group(1)


def _pytest(
    folder: Path,
    target: str,
    env: dict[str, str],
    cpu: int | None,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *pytest_command(folder, target)],
        cwd=PROJECT_ROOT,  # as every benchmark process: `benchmarks` imports from here
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        preexec_fn=_pinned(cpu),
        check=False,
    )


def warm_up(
    folder: Path, variant: str, test_file: Path, cpu: int | None, source: Path | None = None
) -> None:
    """Run a variant's first test alone, untimed, so that everything it imports, its test file
    included, is compiled before the timed runs."""
    env = pytest_environment(folder, source)
    completed = _pytest(folder, f"{test_file}::{first_test(variant)}", env, cpu)
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr)[-2000:]
        raise RuntimeError(f"the {variant} warm-up failed (exit {completed.returncode}):\n{tail}")


def run_pytest(
    folder: Path,
    variant: str,
    test_file: Path,
    cpu: int | None,
    prefix: Sequence[str] = (),
    source: Path | None = None,
) -> RunTiming:
    """Run one variant's file in its own pytest process and read its timings; with
    ``source``, that folder comes first on the import path (another tree's emulator)."""
    output = folder / f"timing-{variant}.json"
    output.unlink(missing_ok=True)
    env = {**pytest_environment(folder, source), pytest_timing.OUTPUT_ENV: str(output)}
    started = time.perf_counter()
    completed = _pytest(folder, str(test_file), env, cpu, prefix)
    process_seconds = time.perf_counter() - started
    if not output.exists():
        tail = (completed.stdout + completed.stderr)[-2000:]
        raise RuntimeError(
            f"the {variant} run wrote no timings (exit {completed.returncode}):\n{tail}"
        )
    record = json.loads(output.read_text())
    try:
        return summarise(variant, record, process_seconds)
    except RuntimeError as error:
        raise RuntimeError(f"{error}\n{completed.stdout[-2000:]}") from None


def rotated(variants: Sequence[str], round_index: int) -> list[str]:
    """The variants in the order a round runs them: each round starts one further on."""
    shift = round_index % len(variants)
    return [*variants[shift:], *variants[:shift]]


def run(
    *,
    tests: int = TESTS,
    rounds: int = ROUNDS,
    profile: bool = False,
    baseline: Path | None = None,
) -> PartResult:
    """Run the four files ``rounds`` times, interleaved, and compare their cost per test.

    With ``profile``, a missed target gets a py-spy profile of one more fixture run. With
    ``baseline`` (a folder holding another version's ``notify_emulator``), the fixture's file
    also runs on that version in each round, for before-and-after numbers from one run.
    """
    part = PartResult(
        f"5. The pytest fixture against requests-mock ({tests} tests a run, {rounds} rounds)"
    )
    cores = Cores.detect()
    measured: list[dict[str, RunTiming]] = []
    variants = (*VARIANTS, BASELINE) if baseline is not None else VARIANTS
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as name:
        folder = Path(name)
        files = write_project(folder, tests)
        files[BASELINE] = files[FIXTURE]
        for variant in variants:
            source = baseline if variant == BASELINE else None
            try:
                warm_up(folder, variant, files[variant], cores.server, source=source)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                part.errors.append(f"warm-up, {variant}: {error}")
        for round_index in range(rounds):
            timings: dict[str, RunTiming] = {}
            for variant in rotated(variants, round_index):
                source = baseline if variant == BASELINE else None
                try:
                    timings[variant] = run_pytest(
                        folder, variant, files[variant], cores.server, source=source
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    part.errors.append(f"round {round_index + 1}, {variant}: {error}")
            measured.append(timings)
        report(part, measured)
        if baseline is not None:
            compare_with_baseline(part, measured, baseline)
        if profile and any(check.passed is False for check in part.checks):
            _profile(part, folder, files[FIXTURE], cores.server)
    pinned = (
        f"; every pytest process pinned to core {cores.server}" if cores.server is not None else ""
    )
    part.notes.append(
        f"{rounds} round(s) after a warm-up run of each file's first test, the runs of a "
        f"round one after another (the order rotating from round to round){pinned}; compiled "
        "bytecode cached, as in a project's test runs. Per test: the span from the second "
        "test's start to the end of the last but one, over the tests in it; each cell the "
        "median of the rounds."
    )
    return part


def report(part: PartResult, rounds: Sequence[dict[str, RunTiming]]) -> None:
    """Rows for each variant and the session start, the two checks, and the net ratio."""
    runs = {variant: [r[variant] for r in rounds if variant in r] for variant in VARIANTS}
    for variant in (FIXTURE, MOCK, LOOPBACK, EMPTY):
        timings = runs[variant]
        if not timings:
            continue
        per_test = median([t.per_test_ms for t in timings])
        part.rows.append(
            Row(
                subject=SUBJECTS[variant],
                scenario=f"{timings[0].tests} tests",
                rate=1000 / per_test if per_test > 0 else None,
                p50_ms=median([t.p50_ms for t in timings]),
                p99_ms=median([t.p99_ms for t in timings]),
                failures=0,
                note=(
                    f"{per_test:.2f} ms/test; CPU "
                    f"{median([t.cpu_per_test_ms for t in timings]):.2f} ms/test; first test "
                    f"{median([t.first_test_ms for t in timings]):,.0f} ms; whole process "
                    f"{median([t.process_s for t in timings]):.1f} s"
                ),
            )
        )
    starts = [t.session_start_s for t in runs[FIXTURE] if t.session_start_s is not None]
    if starts:
        part.rows.append(
            Row(
                subject=SUBJECTS[FIXTURE],
                scenario="session start",
                p50_ms=1000 * median(starts),
                note=(
                    f"{len(starts)} run(s): {min(starts):.2f}–{max(starts):.2f} s; stopping it "
                    f"at the end (the last test's extra time) "
                    f"{median([t.session_end_s for t in runs[FIXTURE]]):.2f} s"
                ),
            )
        )
    ratios = paired_ratios(rounds)
    measured = ""
    if ratios:
        fixture_ms = median([t.per_test_ms for t in runs[FIXTURE]])
        mock_ms = median([t.per_test_ms for t in runs[MOCK]])
        measured = f"{median(ratios):.2f}× ({fixture_ms:.2f} / {mock_ms:.2f} ms)"
    part.checks.append(
        Check(
            "fixture test / requests-mock test, per test",
            f"≤ {RATIO_TARGET:g}×",
            measured,
            median(ratios) <= RATIO_TARGET if ratios else None,
        )
    )
    part.checks.append(
        Check(
            "session start (the first test's emulator set-up)",
            f"< {SESSION_START_TARGET_SECONDS:g} s",
            f"{median(starts):.2f} s (slowest {max(starts):.2f} s)" if starts else "",
            median(starts) < SESSION_START_TARGET_SECONDS if starts else None,
        )
    )
    net = paired_ratios(rounds, net=True)
    if net:
        part.notes.append(
            "Net of pytest's own cost per test (each round's empty test subtracted from both "
            f"sides): {median(net):.2f}× (median of the rounds' ratios)."
        )
    floor = paired_ratios(rounds, subject=LOOPBACK)
    if floor:
        part.notes.append(
            "A real send over loopback to the bare endpoint, with no emulator behind it, "
            f"costs {median(floor):.2f}× a requests-mock test (median of the rounds' ratios): "
            "what is left of the target for everything the emulator does."
        )


def compare_with_baseline(
    part: PartResult, rounds: Sequence[dict[str, RunTiming]], baseline: Path
) -> None:
    """A row for the baseline tree's fixture, and how this tree's compares, round by round."""
    pairs = [(r[FIXTURE], r[BASELINE]) for r in rounds if FIXTURE in r and BASELINE in r]
    if not pairs:
        return
    before = [timing for _, timing in pairs]
    per_test = median([t.per_test_ms for t in before])
    starts = [t.session_start_s for t in before if t.session_start_s is not None]
    part.rows.insert(
        1,
        Row(
            subject=SUBJECTS[BASELINE],
            scenario=f"{before[0].tests} tests",
            rate=1000 / per_test if per_test > 0 else None,
            p50_ms=median([t.p50_ms for t in before]),
            p99_ms=median([t.p99_ms for t in before]),
            failures=0,
            note=(
                f"{per_test:.2f} ms/test; CPU {median([t.cpu_per_test_ms for t in before]):.2f} "
                f"ms/test; session start {median(starts):.2f} s"
                if starts
                else f"{per_test:.2f} ms/test"
            ),
        ),
    )
    faster = median([b.per_test_ms / a.per_test_ms for a, b in pairs if a.per_test_ms > 0])
    note = f"The baseline tree is {baseline}; per test it takes {faster:.2f}× this tree's time"
    quicker = [
        b.session_start_s / a.session_start_s
        for a, b in pairs
        if a.session_start_s and b.session_start_s is not None
    ]
    if quicker:
        note += f", and {median(quicker):.2f}× its session start"
    part.notes.append(note + " (medians of the rounds' ratios).")


def paired_ratios(
    rounds: Sequence[dict[str, RunTiming]], *, net: bool = False, subject: str = FIXTURE
) -> list[float]:
    """Each round's cost per test of ``subject`` (the fixture's tests) over its requests-mock
    cost; with ``net``, both less that round's empty test. Rounds missing a run, or with
    nothing left once the empty test is subtracted, are left out."""
    ratios: list[float] = []
    for timings in rounds:
        if subject not in timings or MOCK not in timings or (net and EMPTY not in timings):
            continue
        base = timings[EMPTY].per_test_ms if net else 0.0
        mock = timings[MOCK].per_test_ms - base
        if mock > 0:
            ratios.append((timings[subject].per_test_ms - base) / mock)
    return ratios


def _profile(part: PartResult, folder: Path, test_file: Path, cpu: int | None) -> None:
    executable = profiling.py_spy()
    title = "a pytest run of the fixture's tests (session start included)"
    if executable is None:
        part.errors.append(f"profile of {title}: py-spy is not installed")
        return
    raw = folder / "profile.txt"
    prefix = [executable, "record", *profiling.record_options(raw, gil_only=False), "--"]
    try:
        run_pytest(folder, FIXTURE, test_file, cpu, prefix=prefix)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        part.errors.append(f"profile of {title}: {error}")
        return
    if not raw.exists():
        part.errors.append(f"profile of {title}: py-spy recorded nothing")
        return
    part.profiles.append(profiling.summarize(raw, title))

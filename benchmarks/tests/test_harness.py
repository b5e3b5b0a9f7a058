"""Tests of the benchmark harness's own logic (not of anything's speed: no timings here).

Run with ``.venv/bin/pytest benchmarks/tests``; ``make test`` runs them with the project's own.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import cast

import pytest

from benchmarks import bare_http, bulk_send, memory, profiling, report, serve
from benchmarks.bare_app import create_bare_app
from benchmarks.client_overhead import OFFICIAL_VERSION, _check_origin
from benchmarks.fixtures import CANNED_SMS_RESPONSE, CANNED_TEMPLATE_RESPONSE, SMS_TEMPLATE_ID
from benchmarks.procs import cpu_seconds, peak_rss_bytes, rss_bytes
from benchmarks.results import Check, PartResult, Row, percentile, render_part
from notifications_python_client._cli.csv_rows import Spreadsheet, check_placeholder_columns
from notify_emulator.faults.connection import HTTP_PROTOCOL


class _RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True


def _request(path: str, body: bytes, *, close: bool = False) -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n".encode()
        + connection
        + b"\r\n"
        + body
    )


def test_bare_endpoint_answers_pipelined_requests_split_across_reads() -> None:
    protocol = bare_http._NotifyProtocol()
    transport = _RecordingTransport()
    protocol.connection_made(transport)
    stream = _request("/v2/notifications/sms", b'{"a": 1}') + _request("/other", b"{}")
    for start in range(0, len(stream), 7):  # arbitrary cuts, even inside headers
        protocol.data_received(stream[start : start + 7])
    answers = bytes(transport.written).split(b"HTTP/1.1 ")[1:]
    assert [answer.split(b"\r\n", 1)[0] for answer in answers] == [b"201 CREATED", b"404 NOT FOUND"]
    assert answers[0].endswith(CANNED_SMS_RESPONSE)
    assert not transport.closed


def test_bare_endpoint_closes_when_asked() -> None:
    protocol = bare_http._NotifyProtocol()
    transport = _RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(_request("/v2/notifications/sms", b"{}", close=True))
    assert transport.closed


def test_canned_answer_has_the_fields_of_a_sent_text() -> None:
    answer = json.loads(CANNED_SMS_RESPONSE)
    assert set(answer) == {"content", "id", "reference", "scheduled_for", "template", "uri"}
    assert set(answer["content"]) == {"body", "from_number"}


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0


def test_extrapolation_follows_a_straight_line_through_the_later_readings() -> None:
    # Early readings are off the line (start-up); the later half lies on 80 MB + 1 MB/1,000.
    readings = [(0, 50.0), (10_000, 70.0), (20_000, 100.0), (30_000, 110.0), (40_000, 120.0)]
    assert memory._extrapolate(readings, 100_000) == pytest.approx(180.0)


def test_a_part_renders_rows_checks_and_errors() -> None:
    part = PartResult(
        "Example",
        rows=[Row("ours", "concurrency 1", rate=1234.5, p50_ms=0.5, failures=0)],
        checks=[Check("ratio", "≥ 2×", "1.50×", False)],
        errors=["the server did not start"],
    )
    text = render_part(part)
    assert "| ours | concurrency 1 | 1,234 | 0.50 |  | 0 |  |" in text
    assert "| ratio | ≥ 2× | 1.50× | MISSED |" in text
    assert "**error:** the server did not start" in text


def test_hand_written_findings_survive_a_new_run(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# old numbers\n{report.FINDINGS_MARKER}\n## Findings\n\nKeep me.\n")
    findings = report.kept_findings(results)
    text = report.render(
        started="today",
        seconds=1.0,
        command="python -m benchmarks",
        machine=[("cores", "2")],
        parts=[],
        findings=findings,
    )
    assert "old numbers" not in text
    assert text.endswith("## Findings\n\nKeep me.\n")


def test_profile_summary_groups_samples_by_innermost_frame(tmp_path: Path) -> None:
    own = "/x/src/notify_emulator/api/send.py"
    raw = tmp_path / "profile.txt"
    raw.write_text(
        f"post_sms ({own}:1);execute (/v/site-packages/sqlalchemy/engine/base.py:2) 3\n"
        f"post_sms ({own}:1) 1\n"
    )
    summary = profiling.summarize(raw, "example")
    assert "| sqlalchemy | 75% |" in summary
    assert "| notify_emulator/api/send.py | 25% |" in summary
    assert "| `post_sms (notify_emulator/api/send.py)` | 100% |" in summary


def test_official_runner_must_import_the_official_client(tmp_path: Path) -> None:
    official_python = tmp_path / "venv" / "bin" / "python"
    official = {"module": str(tmp_path / "venv" / "lib" / "c.py"), "version": OFFICIAL_VERSION}
    ours = {"module": "/work/src/notifications_python_client/__init__.py", "version": "13.1.0"}
    _check_origin("official", cast(dict[str, object], official), official_python)
    _check_origin("ours", cast(dict[str, object], ours), official_python)
    with pytest.raises(RuntimeError, match="official runner imported"):
        _check_origin("official", cast(dict[str, object], ours), official_python)
    with pytest.raises(RuntimeError, match="our runner imported the official client"):
        _check_origin("ours", cast(dict[str, object], official), official_python)


def test_process_readings_are_of_this_process() -> None:
    import os

    assert rss_bytes(os.getpid()) > 1024 * 1024
    assert peak_rss_bytes(os.getpid()) >= rss_bytes(os.getpid()) // 2
    assert cpu_seconds(os.getpid()) > 0.0


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


def test_bare_endpoint_serves_the_template_and_stamps_the_first_send(tmp_path: Path) -> None:
    stamp_file = tmp_path / "first-send"
    stamp = bare_http.FirstSendStamp(stamp_file)
    protocol = bare_http._NotifyProtocol(stamp)
    transport = _RecordingTransport()
    protocol.connection_made(transport)

    protocol.data_received(_get(f"/v2/template/{SMS_TEMPLATE_ID}"))
    assert not stamp_file.exists()  # fetching the template is not a send
    protocol.data_received(_request("/v2/notifications/sms", b"{}"))
    first = float(stamp_file.read_text())
    protocol.data_received(_request("/v2/notifications/sms", b"{}"))

    assert float(stamp_file.read_text()) == first
    answers = bytes(transport.written).split(b"HTTP/1.1 ")[1:]
    assert [answer.split(b"\r\n", 1)[0] for answer in answers] == [
        b"200 OK",
        b"201 CREATED",
        b"201 CREATED",
    ]
    assert answers[0].endswith(CANNED_TEMPLATE_RESPONSE)


def test_the_bulk_spreadsheet_fits_the_canned_template(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    bulk_send.write_spreadsheet(path, 25_001)  # more than one chunk of lines
    spreadsheet = Spreadsheet(path, "sms")
    template = json.loads(CANNED_TEMPLATE_RESPONSE)

    check_placeholder_columns(spreadsheet.headings, template["personalisation"])
    rows = [spreadsheet.row(record) for record in spreadsheet.records()]
    assert len(rows) == spreadsheet.count_rows() == 25_001
    assert rows[-1].personalisation["reference_code"] == "REF-0025000"
    assert template["type"] == "sms"


def test_rss_readings_are_thinned_evenly_keeping_the_last() -> None:
    readings = [float(n) for n in range(100)]
    thinned = list(bulk_send._thin(readings, most=5))
    assert thinned == [0.0, 25.0, 50.0, 75.0, 99.0]
    assert list(bulk_send._thin(readings[:3], most=5)) == [0.0, 1.0, 2.0]


def test_a_bulk_report_checks_the_targets_and_counts() -> None:
    runs = [
        bulk_send.RunResult("first run", "SIGINT", 130, 0.8, 10.0, 2.0, 40.0, [39.0, 40.0], 5.0),
        bulk_send.RunResult("resumed", "SIGTERM", 130, 6.5, 10.0, 2.0, 120.0, [41.0], 5.0),
    ]
    runs[0].summary = {"sent": 100, "skipped": 0, "unknown": []}
    runs[1].summary = {"sent": 50, "skipped": 100, "unknown": [7]}
    part = PartResult("bulk")

    bulk_send._report(part, runs, accepted=149)

    assert [check.passed for check in part.checks] == [False, False, False]
    assert part.checks[0].measured.startswith("120 MB")
    assert part.checks[1].measured == "6.50 s"
    assert part.checks[2].measured == "150 / 149"
    assert "(8.12× the first run's)" in part.rows[1].note


def test_callgrinds_instruction_count_is_read_from_its_summary() -> None:
    from benchmarks import instructions

    stderr = "==12== Events    : Ir\n==12== Collected : 1,525,959,002\n==12==\n"
    assert instructions.collected_instructions(stderr) == 1_525_959_002
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.collected_instructions("valgrind: not found")


def test_the_servers_use_the_http_protocol_the_emulator_ships_with() -> None:
    # What `notify-emulator serve` runs (one write per answer); the bare endpoint is served
    # with the same configuration, so that the application is the only difference.
    config = serve._config(create_bare_app(), port=0)
    assert config.http == HTTP_PROTOCOL

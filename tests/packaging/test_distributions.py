"""The two distributions build from a copy of the repository and install into fresh virtualenvs.

This is the proof that the README's install commands work: the client
(``notifications-python-client``, from the root ``pyproject.toml``) and the emulator
(``notify-emulator``, from ``packages/notify-emulator``) are built once per session as wheels from
a copy of the tree (so no stale ``build/`` folder of a working copy can leak into them), with
every dependency gathered as wheels beside them by pip as this machine configures it. Each test
then makes a fresh virtualenv and installs with ``--no-index --find-links`` from that folder, so
it installs exactly what a user's ``pip install`` would, without further downloads.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
import requests

from tests.docs.readme import readme_example

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]
VERSION = "13.1.0"
OFFICIAL_CLIENT = "notifications-python-client==13.0.0"
# What a clone holds that a build reads: the rest (tests, docs, benchmarks) is not needed.
SOURCE_ENTRIES = ("pyproject.toml", "README.md", "LICENSE", "src", "packages")
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", "*.pyc")
# Installed beside the project's wheels: pytest for the fixture's test, and what pipx and the
# isolated builds of a source folder install (pip itself, both build backends).
TOOLS = ("pytest", "pip", "setuptools>=77", "wheel", "hatchling>=1.24")
# Variables of this test run that must not reach the fresh environments.
LEAKING = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
COMMAND_TIMEOUT = 300
STARTUP_LINES = 40


@dataclass(frozen=True)
class Wheelhouse:
    """A folder of wheels: the project's two, and everything they and ``TOOLS`` need."""

    folder: Path
    source: Path
    client: Path
    emulator: Path


def clean_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in LEAKING}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def run(
    command: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, in an environment free of this test run's variables."""
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        check=False,
    )


def ok(
    command: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run a command that must succeed; its standard output. A failure shows its stderr."""
    result = run(command, cwd=cwd, env=env)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


def pip(*arguments: str | Path) -> str:
    return ok([sys.executable, "-m", "pip", *arguments])


def frozen_versions(folder: Path) -> Path:
    """The versions this test run uses, as pip constraints, so the wheels gathered match them
    (the project's own editable installs left out)."""
    lines = pip("freeze", "--exclude-editable").splitlines()
    own = ("notifications-python-client", "notifications_python_client", "notify-emulator")
    kept = [line for line in lines if "==" in line and not line.lower().startswith(own)]
    path = folder / "constraints.txt"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    source = tmp_path_factory.mktemp("clone")
    for entry in SOURCE_ENTRIES:
        if (ROOT / entry).is_dir():
            shutil.copytree(ROOT / entry, source / entry, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / entry, source / entry)
    folder = tmp_path_factory.mktemp("wheelhouse")
    constraints = frozen_versions(tmp_path_factory.mktemp("constraints"))
    pip(
        "wheel",
        "--quiet",
        "--wheel-dir",
        folder,
        "--constraint",
        constraints,
        source,
        source / "packages" / "notify-emulator",
        *TOOLS,
    )
    (client,) = folder.glob(f"notifications_python_client-{VERSION}-*.whl")
    (emulator,) = folder.glob(f"notify_emulator-{VERSION}-*.whl")
    return Wheelhouse(folder=folder, source=source, client=client, emulator=emulator)


def fresh_venv(folder: Path) -> Path:
    """A new virtualenv; returns its bin folder. Packages go in with this run's pip
    (``pip --python``), which saves installing pip into every one."""
    ok([sys.executable, "-m", "venv", "--without-pip", folder])
    return folder / ("Scripts" if os.name == "nt" else "bin")


def install(bin_folder: Path, house: Path, *requirements: str | Path) -> None:
    python = bin_folder / "python"
    pip("--python", python, "install", "--quiet", "--no-compile", "--no-index",
        "--find-links", house, *requirements)  # fmt: skip


def top_level_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def wheel_metadata(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (path,) = [item for item in archive.namelist() if item.endswith(f".dist-info/{name}")]
        return archive.read(path).decode("utf-8")


def test_each_wheel_holds_its_own_package_only(wheelhouse: Wheelhouse) -> None:
    assert top_level_names(wheelhouse.client) == {
        "notifications_python_client",
        f"notifications_python_client-{VERSION}.dist-info",
    }
    assert top_level_names(wheelhouse.emulator) == {
        "notify_emulator",
        f"notify_emulator-{VERSION}.dist-info",
    }
    with zipfile.ZipFile(wheelhouse.emulator) as archive:
        names = archive.namelist()
    assert "notify_emulator/py.typed" in names
    assert "notify_emulator/rules/data/__init__.py" in names
    # The inbox's templates and static files, beside its code.
    assert "notify_emulator/pages/templates/base.html" in names
    assert "notify_emulator/pages/static/inbox.css" in names
    assert "notify_emulator/pages/static/inbox.js" in names
    assert "notify_emulator/pages/static/forms.js" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_commands_and_the_plugin_belong_to_their_distributions(
    wheelhouse: Wheelhouse,
) -> None:
    client_points = wheel_metadata(wheelhouse.client, "entry_points.txt")
    emulator_points = wheel_metadata(wheelhouse.emulator, "entry_points.txt")
    assert "notify = notifications_python_client.cli:main" in client_points
    assert "notify-emulator" not in client_points
    assert "pytest11" not in client_points
    assert "notify-emulator = notify_emulator.cli:main" in emulator_points
    assert "[pytest11]\nnotify_emulator = notify_emulator.pytest_plugin" in emulator_points
    client = Parser().parsestr(wheel_metadata(wheelhouse.client, "METADATA"))
    emulator = Parser().parsestr(wheel_metadata(wheelhouse.emulator, "METADATA"))
    assert client["Version"] == emulator["Version"] == VERSION
    # The emulator needs no Notify client: a team keeping the official one keeps it.
    requirements = emulator.get_all("Requires-Dist") or []
    assert not [item for item in requirements if item.startswith("notifications-python-client")]
    assert "psycopg[binary]>=3.1.18; extra == 'postgres'" in requirements


def test_the_emulator_sdist_builds_the_same_wheel(wheelhouse: Wheelhouse, tmp_path: Path) -> None:
    # `python -m build` makes the sdist, then the wheel from the unpacked sdist, where the
    # package is under src/ instead of two folders up.
    out = tmp_path / "dist"
    ok([sys.executable, "-m", "build", "--outdir", out, wheelhouse.source / "packages" /
        "notify-emulator"])  # fmt: skip
    (sdist,) = out.glob(f"notify_emulator-{VERSION}.tar.gz")
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert f"notify_emulator-{VERSION}/src/notify_emulator/app.py" in members
    assert not [name for name in members if "notifications_python_client" in name]
    (from_sdist,) = out.glob(f"notify_emulator-{VERSION}-*.whl")
    with zipfile.ZipFile(from_sdist) as built, zipfile.ZipFile(wheelhouse.emulator) as direct:
        assert sorted(built.namelist()) == sorted(direct.namelist())


def test_the_client_installs_alone_with_its_notify_command(
    wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    bin_folder = fresh_venv(tmp_path / "venv")
    install(bin_folder, wheelhouse.folder, wheelhouse.client)
    python = bin_folder / "python"
    ok([python, "-c", "from notifications_python_client import NotificationsAPIClient"])
    missing = run([python, "-c", "import notify_emulator"])
    assert "No module named 'notify_emulator'" in missing.stderr
    assert not (bin_folder / "notify-emulator").exists()
    # Without the cli extra the command says what to install; that command then works.
    bare = run([bin_folder / "notify", "--help"])
    assert bare.returncode == 1
    assert bare.stderr.strip() == (
        "notify: this command needs the client's cli extra (click is not installed): "
        "pip install 'notifications-python-client[cli]'"
    )
    install(bin_folder, wheelhouse.folder, "notifications-python-client[cli]")
    assert "Usage: notify [OPTIONS] COMMAND" in ok([bin_folder / "notify", "--help"])


def serve(command: Path, *arguments: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Start ``notify-emulator serve`` on a free port; its process, base URL and first lines."""
    process = subprocess.Popen(
        [str(command), "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
    )
    assert process.stdout is not None
    lines: list[str] = []
    for _ in range(STARTUP_LINES):
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("Notify emulator listening on "):
            return process, line.removeprefix("Notify emulator listening on ").strip(), lines
        if not line:
            break
    stop(process)
    raise AssertionError("notify-emulator did not start:\n" + "".join(lines))


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    finally:
        if process.stdout is not None:
            process.stdout.close()


def test_the_emulator_installs_alone_and_serves(wheelhouse: Wheelhouse, tmp_path: Path) -> None:
    bin_folder = fresh_venv(tmp_path / "venv")
    install(bin_folder, wheelhouse.folder, wheelhouse.emulator)
    python = bin_folder / "python"
    # The pytest plugin is loaded by pytest, where pytest is installed; the rest needs nothing more.
    ok([python, "-c", "import notify_emulator.app, notify_emulator.cli"])
    missing = run([python, "-c", "import notifications_python_client"])
    assert "No module named 'notifications_python_client'" in missing.stderr
    assert not (bin_folder / "notify").exists()
    command = bin_folder / "notify-emulator"
    assert "serve" in ok([command, "--help"])
    assert ok([command, "--version"]).strip() == f"notify-emulator, version {VERSION}"
    process, base_url, _ = serve(command, "--database", "sqlite:///:memory:")
    try:
        health = requests.get(f"{base_url}/_emulator/health", timeout=10)
        assert health.json() == {"status": "ok"}
        # The inbox renders from the templates packaged with the code.
        inbox = requests.get(f"{base_url}/", timeout=10)
        assert inbox.status_code == 200
        assert "text/html" in inbox.headers["Content-Type"]
    finally:
        stop(process)


@pytest.fixture(scope="session")
def official_client_house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The official client 13.0.0 and its dependencies, as wheels."""
    folder = tmp_path_factory.mktemp("official")
    pip("wheel", "--quiet", "--wheel-dir", folder, OFFICIAL_CLIENT)
    return folder


def test_a_project_keeping_the_official_client_gets_the_fixture(
    wheelhouse: Wheelhouse, official_client_house: Path, tmp_path: Path
) -> None:
    bin_folder = fresh_venv(tmp_path / "venv")
    install(bin_folder, official_client_house, OFFICIAL_CLIENT)
    install(bin_folder, wheelhouse.folder, wheelhouse.emulator, "pytest")
    python = bin_folder / "python"
    version = ok([python, "-c", "import importlib.metadata as m; print(m.version('" +
                  "notifications-python-client'))"])  # fmt: skip
    assert version.strip() == "13.0.0"
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n", encoding="utf-8")
    (project / "test_reminders.py").write_text(
        readme_example("# test_reminders.py"), encoding="utf-8"
    )
    result = run([python, "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@pytest.fixture
def pipx_home(tmp_path: Path) -> dict[str, str]:
    """pipx's folders in a temporary place, so nothing of the user's pipx is touched."""
    return clean_env(
        PIPX_HOME=str(tmp_path / "pipx"),
        PIPX_BIN_DIR=str(tmp_path / "bin"),
        PIPX_MAN_DIR=str(tmp_path / "man"),
    )


def test_pipx_installs_the_emulator_from_its_source_folder(
    wheelhouse: Wheelhouse, pipx_home: dict[str, str]
) -> None:
    # The README's one command for a team in any language (the client's `pipx install '.[cli]'`
    # is the same mechanism, and its wheel is installed above).
    pip_args = f"--no-index --find-links {wheelhouse.folder} --no-compile"
    emulator_folder = wheelhouse.source / "packages" / "notify-emulator"
    pipx = [sys.executable, "-m", "pipx", "install", "--pip-args", pip_args, emulator_folder]
    ok(pipx, env=pipx_home)
    command = Path(pipx_home["PIPX_BIN_DIR"]) / "notify-emulator"
    assert ok([command, "--version"]).strip() == f"notify-emulator, version {VERSION}"

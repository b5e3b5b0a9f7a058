"""Run the client's tests on every CPython from 3.10 that this machine has."""

import glob
import os

import nox

CLIENT_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

# pyenv keeps interpreters out of PATH unless selected; make each installed one findable.
_pyenv_bins = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[0-9]*/bin")))
os.environ["PATH"] = os.pathsep.join([*_pyenv_bins, os.environ.get("PATH", "")])

nox.options.error_on_missing_interpreters = False


@nox.session(python=CLIENT_PYTHONS)
def client(session: nox.Session) -> None:
    """The client's test suite (sync and async) on one interpreter."""
    session.install("-e", ".[async,cli,dev]")
    session.run("pytest", "tests/client", "-p", "no:cacheprovider", *session.posargs)

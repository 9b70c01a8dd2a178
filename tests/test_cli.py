"""The `fitgraph` command is installed and lists its sub-commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli import app


def test_help_lists_the_command_name() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "fitgraph" in result.output.lower()


def test_console_script_runs_from_the_virtualenv() -> None:
    executable = Path(sys.executable).with_name("fitgraph")
    completed = subprocess.run([str(executable), "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "Usage" in completed.stdout

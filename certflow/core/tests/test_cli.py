"""The `certflow` command explains configuration and database problems instead of printing a traceback."""

import os
import subprocess
import sys

import pytest

from certflow.cli import main


def run_certflow(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY")}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "certflow", *args], capture_output=True, text=True, env=environment, timeout=120
    )


def test_a_bad_boolean_names_the_variable():
    result = run_certflow("check", DEBUG="maybe", SECRET_KEY="x")
    assert result.returncode == 2
    assert "DEBUG must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_database_url_is_explained():
    result = run_certflow("check", DATABASE_URL="nonsense", SECRET_KEY="x")
    assert result.returncode == 2
    assert "DATABASE_URL is not a valid database URL" in result.stderr


def test_an_unreachable_database_is_explained():
    result = run_certflow("migrate", DATABASE_URL="postgres://nobody@127.0.0.1:1/none", SECRET_KEY="x")
    assert result.returncode == 3
    assert "数据库不可用" in result.stderr and "unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_secret_key_outside_debug_is_explained(tmp_path):
    result = run_certflow("check", CERTFLOW_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_hyphenated_command_names_are_accepted(capsys):
    assert main(["certflow", "verify-log"]) == 0
    assert "event log intact" in capsys.readouterr().out

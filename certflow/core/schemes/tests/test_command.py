"""`certflow scheme check | list | sync`: output and exit codes."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certflow.core.schemes.models import SchemeVersion
from certflow.core.schemes.tests.conftest import SHIPPED


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("scheme", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_prints_a_summary():
    out, err = run("check", str(SHIPPED))
    assert "OK" in out and "CTS OLS/GZ-0056-2025 A/0" in out
    assert "34 requirement items" in out and "9 materials" in out and "5 survey dimensions" in out
    assert err == ""


def test_check_prints_every_error_and_fails(tmp_path, shipped_text):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        shipped_text.replace("    4.1-1: 3\n", "    4.1-1: 2\n").replace(
            "    working_days: 7\n", "    working_days: x\n"
        ),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("scheme", "check", str(bad), stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "deadlines.audit_notice.working_days" in err.getvalue() and "must be a positive integer" in err.getvalue()
    assert "grading.weights" in err.getvalue() and "weights sum to 99" in err.getvalue()


def test_list():
    out, _ = run("list")
    assert "* CTS OLS/GZ-0056-2025  A/0" in out


@pytest.mark.django_db
def test_sync():
    out, _ = run("sync")
    assert "A/0" in out and "recorded" in out
    assert SchemeVersion.objects.filter(version="A/0").exists()
    SchemeVersion.objects.update(sha256="f" * 64)
    with pytest.raises(CommandError, match="a published version must not change"):
        run("sync")


def _certflow(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "SECRET_KEY": "test-only"}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "certflow", "scheme", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_exit_codes_of_the_real_command(tmp_path):
    assert _certflow("check", str(SHIPPED)).returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("scheme: [\n", encoding="utf-8")
    result = _certflow("check", str(broken))
    assert result.returncode == 1
    assert "line 2" in result.stderr and "YAML syntax error" in result.stderr

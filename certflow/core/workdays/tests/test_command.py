import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certflow.core.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


def test_after_and_before():
    assert run("2026-09-30", "5") == "2026-10-13 星期二"
    assert run("2026-10-12", "7", "--before") == "2026-09-24 星期四"
    assert run("2026-02-13", "1") == "2026-02-14 星期六"  # a make-up Saturday
    assert run("2026-03-07", "0") == "2026-03-07 星期六"


@pytest.mark.parametrize("bad_date", ["2026-02-30", "20261012", "2026-W41-1", "tomorrow", "2026-9-30"])
def test_bad_date(bad_date):
    with pytest.raises(CommandError, match="日期无效.*YYYY-MM-DD"):
        run(bad_date, "5")


@pytest.mark.parametrize("bad_count", ["-5", "2.5", "five", ""])
def test_bad_count(bad_count):
    with pytest.raises(CommandError, match="非负整数.*non-negative integer"):
        run("2026-09-30", bad_count)


@pytest.mark.parametrize(("args", "year"), [(("2027-01-04", "1"), 2027), (("2004-01-05", "3", "--before"), 2003)])
def test_year_without_data(args, year):
    with pytest.raises(CommandError, match=f"{year} 年的法定节假日安排尚未录入.*The {year} public-holiday schedule"):
        run(*args)


def test_declared_year_is_used():
    CalendarDay.objects.create(date="2027-01-01", is_working_day=False, name="元旦")  # invented for the test
    CalendarYear.objects.create(year=2027, declared_complete=True, source="测试用通知（虚构）")
    assert run("2026-12-31", "1") == "2027-01-04 星期一"


def test_out_of_range():
    with pytest.raises(CommandError):
        run("9999-12-31", "1")


def test_command_line_error_is_bilingual_without_traceback():
    # Argument errors are caught before the database is touched, so the real entry point can run here.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    cli = [sys.executable, "-m", "certflow", "workdays"]
    result = subprocess.run([*cli, "2026-13-01", "5"], capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    assert result.returncode != 0
    assert "日期无效" in result.stderr and "invalid date" in result.stderr
    assert "Traceback" not in result.stderr
    result = subprocess.run([*cli, "2026-09-30", "-1"], capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    assert result.returncode != 0 and "non-negative integer" in result.stderr and "Traceback" not in result.stderr

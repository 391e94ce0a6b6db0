"""`certflow workdays 2026-09-30 5` prints the 5th working day after 30 September 2026."""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from certflow.core.workdays.calendar import CalendarDataMissing
from certflow.core.workdays.selectors import calendar_for_db

WEEKDAYS_ZH = "一二三四五六日"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(text: str) -> date:
    # date.fromisoformat alone would also take "20261012" and "2026-W41-1"; insist on one spelling.
    if ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise CommandError(f"日期无效，应为 YYYY-MM-DD 格式 / invalid date {text!r}, expected YYYY-MM-DD")


def _parse_count(text: str) -> int:
    if re.fullmatch(r"\d+", text.strip()):
        return int(text)
    raise CommandError(
        f"工作日数必须是非负整数 / the number of working days must be a non-negative integer, got {text!r}"
    )


def format_date(d: date) -> str:
    return f"{d.isoformat()} 星期{WEEKDAYS_ZH[d.weekday()]}"


class Command(BaseCommand):
    help = "计算 N 个工作日之后（或之前）的日期 / the date N PRC working days after (or before) DATE"

    def add_arguments(self, parser):
        # Both taken as text so a bad value gets the bilingual message, not argparse's English one.
        parser.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
        parser.add_argument("count", metavar="N", help="工作日数 / number of working days (≥ 0)")
        parser.add_argument(
            "--before", action="store_true", help="向前推算 / count backwards (e.g. the last day to send a notice)"
        )

    def handle(self, *args, **options):
        start = _parse_date(options["date"])
        count = _parse_count(options["count"])
        calendar = calendar_for_db()
        try:
            if options["before"]:
                result = calendar.subtract_working_days(start, count)
            else:
                result = calendar.add_working_days(start, count)
        except CalendarDataMissing as exc:
            raise CommandError(str(exc)) from exc
        except OverflowError as exc:
            raise CommandError("日期超出可计算范围 / the date is out of the supported range") from exc
        self.stdout.write(format_date(result))

"""PRC working-day arithmetic, free of the ORM so it can be tested and reasoned about on its own.

Counting convention (the one PRC law uses for periods, 期间开始的当日不计入): the day you count
from is never counted.

* ``add_working_days(d, n)`` is the n-th working day after ``d``; ``n == 0`` gives ``d`` itself.
  For n ≥ 1 the result is always a working day and ``working_days_between(d, result) == n``.
* ``subtract_working_days(d, n)`` is the n-th working day before ``d``; ``n == 0`` gives ``d``.
  For n ≥ 1 the result is a working day and exactly n working days lie in ``[result, d)``; when
  ``d`` is itself a working day this means ``add_working_days(result, n) == d``. For "notice at
  least 7 working days before the audit", the result is the last date the notice may be sent.
* ``working_days_between(start, end)`` counts the working days in ``(start, end]``; it is negative
  when ``end`` is before ``start``.

Only the days a calculation actually steps on are looked up, so a date in a year without data
raises ``CalendarDataMissing`` as soon as a calculation reaches it - never a guess.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

ONE_DAY = timedelta(days=1)
MAKE_UP_WORKING_DAY = "调休上班"


class CalendarDataMissing(ValueError):
    """The schedule of ``year`` is neither in the package nor declared complete by an administrator."""

    def __init__(self, year: int):
        self.year = year
        self.message_zh = f"{year} 年的法定节假日安排尚未录入，请管理员根据国务院办公厅通知录入后再计算"
        self.message_en = (
            f"The {year} public-holiday schedule has not been entered yet; "
            "an administrator must enter it from the State Council notice."
        )
        super().__init__(f"{self.message_zh} / {self.message_en}")


@dataclass(frozen=True)
class DayOverride:
    is_working_day: bool
    name: str = ""


@dataclass(frozen=True)
class DayInfo:
    date: date
    is_working_day: bool
    name: str  # empty on an ordinary weekday or weekend
    source: str  # "override", "package" or "weekday"


@dataclass(frozen=True)
class PackageData:
    holidays: Mapping[date, str]  # days off, including the weekends inside a holiday period
    workdays: Mapping[date, str]  # make-up working days (调休) that fall on a weekend
    years: frozenset[int]


def _chinese_name(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


@lru_cache(maxsize=1)
def package_data() -> PackageData:
    """The State Council schedules shipped in `chinese_calendar`, read once per process."""
    holidays = {d: _chinese_name(name) for d, name in chinese_calendar.holidays.items()}
    workdays = {d: f"{MAKE_UP_WORKING_DAY}（{_chinese_name(name)}）" for d, name in chinese_calendar.workdays.items()}
    # Years the package actually holds entries for, rather than its min..max range, so a gap in
    # a future release of the package could not pass for "no holidays that year".
    return PackageData(holidays=holidays, workdays=workdays, years=frozenset(d.year for d in holidays))


def _as_date(d) -> date:
    # A datetime's calendar day depends on its time zone; guessing UTC vs Asia/Shanghai here
    # would shift deadlines by a day, so callers must pass timezone.localdate() themselves.
    if isinstance(d, datetime):
        raise TypeError("pass a date, not a datetime (use django.utils.timezone.localdate())")
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return d


def _as_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of working days must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"the number of working days must not be negative, got {n}")
    return n


class WorkingDayCalendar:
    """Package schedules plus administrator overrides; see the module docstring for the counting rules."""

    def __init__(
        self,
        overrides: Mapping[date, DayOverride] | None = None,
        declared_years: Iterable[int] = (),
        package: PackageData | None = None,
    ):
        self._overrides = dict(overrides or {})
        self._declared_years = frozenset(declared_years)
        self._package = package if package is not None else package_data()

    def year_is_covered(self, year: int) -> bool:
        return year in self._package.years or year in self._declared_years

    def year_in_package(self, year: int) -> bool:
        return year in self._package.years

    def describe(self, d: date) -> DayInfo:
        d = _as_date(d)
        if not self.year_is_covered(d.year):
            raise CalendarDataMissing(d.year)
        # Overrides come first even in package years: that is how an administrator corrects the package.
        override = self._overrides.get(d)
        if override is not None:
            return DayInfo(d, override.is_working_day, override.name, "override")
        if d.year in self._package.years:
            if d in self._package.workdays:
                return DayInfo(d, True, self._package.workdays[d], "package")
            if d in self._package.holidays:
                return DayInfo(d, False, self._package.holidays[d], "package")
        # A year an administrator declared complete has every exception entered as an override,
        # so the plain weekday rule is right for the rest of it.
        return DayInfo(d, d.weekday() < 5, "", "weekday")

    def is_working_day(self, d: date) -> bool:
        return self.describe(d).is_working_day

    def add_working_days(self, d: date, n: int) -> date:
        return self._step(_as_date(d), _as_count(n), ONE_DAY)

    def subtract_working_days(self, d: date, n: int) -> date:
        return self._step(_as_date(d), _as_count(n), -ONE_DAY)

    def working_days_between(self, start: date, end: date) -> int:
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count, current = 0, start
        while current < end:
            current += ONE_DAY
            count += self.is_working_day(current)
        return count

    def _step(self, current: date, remaining: int, step: timedelta) -> date:
        # Terminates: covered years are finite, so a walk either finds n working days or
        # reaches an uncovered year and raises.
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

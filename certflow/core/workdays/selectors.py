"""Reading the calendar from the database.

`calendar_for_db()` costs two queries and is then kept for CACHE_SECONDS in this process. The services that
save a CalendarDay/CalendarYear clear it at once (and again on commit, so a calendar built
from rows a rolled-back transaction could see does not outlive it). Other worker processes pick up
a change within CACHE_SECONDS - acceptable for data that changes about once a year.
"""

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from certflow.core.workdays.calendar import DayOverride, WorkingDayCalendar, package_data
from certflow.core.workdays.models import CalendarDay, CalendarYear

CACHE_SECONDS = 60

_lock = threading.Lock()
_cached: tuple[float, WorkingDayCalendar] | None = None


def load_calendar() -> WorkingDayCalendar:
    """Always from the database (2 queries), bypassing the cache."""
    overrides = {
        day: DayOverride(is_working_day=working, name=name)
        for day, working, name in CalendarDay.objects.values_list("date", "is_working_day", "name")
    }
    declared = CalendarYear.objects.filter(declared_complete=True).values_list("year", flat=True)
    return WorkingDayCalendar(overrides=overrides, declared_years=list(declared))


def calendar_for_db() -> WorkingDayCalendar:
    global _cached
    cached = _cached
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]  # another thread loaded it while this one waited
        calendar = load_calendar()
        _cached = (time.monotonic() + CACHE_SECONDS, calendar)
    return calendar


def clear_calendar_cache() -> None:
    global _cached
    _cached = None


def calendar_changed() -> None:
    """Called by the services that write calendar rows (no signals: the writes are explicit)."""
    clear_calendar_cache()
    transaction.on_commit(clear_calendar_cache)


class Coverage(models.TextChoices):
    PACKAGE = "package", "国务院安排已内置 / in the holiday package"
    DECLARED = "declared", "管理员已录入 / entered by an administrator"
    MISSING = "missing", "尚未录入 / not entered yet"


@dataclass(frozen=True)
class YearStatus:
    year: int
    coverage: Coverage
    in_package: bool
    declared_complete: bool
    source: str  # the notice an administrator named, "" if none
    declared_at: datetime | None
    override_count: int
    holiday_overrides: int
    working_overrides: int

    @property
    def is_missing(self) -> bool:
        return self.coverage == Coverage.MISSING


def calendar_years_status(today: date) -> list[YearStatus]:
    """Coverage of the current and the next year, fresh from the database (2 queries)."""
    years = [today.year, today.year + 1]
    declared = {row.year: row for row in CalendarYear.objects.filter(year__in=years)}
    counts = {
        row["y"]: row
        for row in CalendarDay.objects.filter(date__year__in=years)
        .annotate(y=ExtractYear("date"))
        .values("y")
        .annotate(
            total=Count("id"),
            holidays=Count("id", filter=Q(is_working_day=False)),
            working=Count("id", filter=Q(is_working_day=True)),
        )
    }
    package_years = package_data().years
    result = []
    for year in years:
        row = declared.get(year)
        is_declared = bool(row and row.declared_complete)
        in_package = year in package_years
        if in_package:
            coverage = Coverage.PACKAGE
        elif is_declared:
            coverage = Coverage.DECLARED
        else:
            coverage = Coverage.MISSING
        count = counts.get(year, {})
        result.append(
            YearStatus(
                year=year,
                coverage=coverage,
                in_package=in_package,
                declared_complete=is_declared,
                source=row.source if row else "",
                declared_at=row.declared_at if row else None,
                override_count=count.get("total", 0),
                holiday_overrides=count.get("holidays", 0),
                working_overrides=count.get("working", 0),
            )
        )
    return result

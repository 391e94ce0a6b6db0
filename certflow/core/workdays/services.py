"""The working-day API other apps import. Counting rules: see `certflow.core.workdays.calendar`.

Every function may raise `CalendarDataMissing` (a ValueError) when a calculation reaches a year
with no schedule; show its message rather than computing a deadline some other way.
"""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.core.workdays.calendar import CalendarDataMissing
from certflow.core.workdays.models import CalendarDay, CalendarYear
from certflow.core.workdays.selectors import calendar_changed, calendar_for_db

__all__ = [
    "CalendarDataMissing",
    "add_working_days",
    "calendar_warning",
    "is_working_day",
    "subtract_working_days",
    "working_days_between",
]


# Apps whose stored dates depend on the calendar (e.g. provisional correction deadlines, decisions
# R10) register here from AppConfig.ready; workdays itself must not import them.
_change_listeners: list[Callable] = []


def on_calendar_change(listener: Callable) -> None:
    """Call `listener(by=user)` inside the transaction of every calendar change, after the cache is cleared."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def _calendar_changed(by) -> None:
    calendar_changed()
    for listener in _change_listeners:
        listener(by=by)


def is_working_day(d: date) -> bool:
    return calendar_for_db().is_working_day(d)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (d not counted); n == 0 gives d."""
    return calendar_for_db().add_working_days(d, n)


def subtract_working_days(d: date, n: int) -> date:
    """The n-th working day before d (d not counted); n == 0 gives d. For "notice at least n working
    days before the audit" this is the last date the notice may be sent."""
    return calendar_for_db().subtract_working_days(d, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]; negative when b is before a."""
    return calendar_for_db().working_days_between(a, b)


def calendar_warning(today: date) -> str | None:
    """A bilingual warning for the staff dashboard while this year or next has no schedule, else None."""
    calendar = calendar_for_db()
    missing = [year for year in (today.year, today.year + 1) if not calendar.year_is_covered(year)]
    if not missing:
        return None
    zh_years = "、".join(str(y) for y in missing)
    en_years = " and ".join(str(y) for y in missing)
    return (
        f"{zh_years} 年的法定节假日安排尚未录入，涉及该年的工作日期限无法计算。"
        "请管理员根据国务院办公厅通知录入放假和调休日期，并声明该年已录入完整。"
        f" / The {en_years} public-holiday schedule has not been entered yet, so working-day deadlines "
        "reaching into it cannot be computed. An administrator must enter the holidays and make-up "
        "working days from the State Council notice and declare the year complete."
    )


def _day_snapshot(day: CalendarDay) -> dict:
    return {"date": day.date, "is_working_day": day.is_working_day, "name": day.name, "source": day.source}


def _year_snapshot(year: CalendarYear) -> dict:
    return {"year": year.year, "declared_complete": year.declared_complete, "source": year.source}


def save_calendar_day(*, by, day: CalendarDay) -> CalendarDay:
    """Create or change an override; the change lands in the event log with the same transaction."""
    with transaction.atomic():
        old = CalendarDay.objects.select_for_update().filter(pk=day.pk).first() if day.pk else None
        before = _day_snapshot(old) if old else None
        day.entered_by = by
        day.entered_at = timezone.now()
        day.full_clean()
        day.save()
        _calendar_changed(by)
        record_event(
            actor=by,
            action="workdays.day_changed" if old else "workdays.day_created",
            target=day,
            before=before,
            after=_day_snapshot(day),
        )
    return day


def save_calendar_year(*, by, year: CalendarYear) -> CalendarYear:
    """Create or change a year's declaration, stamping who declared it complete and when."""
    with transaction.atomic():
        old = CalendarYear.objects.select_for_update().filter(pk=year.pk).first() if year.pk else None
        before = _year_snapshot(old) if old else None
        if not year.declared_complete:
            year.declared_by, year.declared_at = None, None
        elif before is None or not old.declared_complete or old.source != year.source:
            year.declared_by, year.declared_at = by, timezone.now()
        year.full_clean()
        year.save()
        _calendar_changed(by)
        record_event(
            actor=by,
            action="workdays.year_changed" if old else "workdays.year_created",
            target=year,
            before=before,
            after=_year_snapshot(year),
        )
    return year

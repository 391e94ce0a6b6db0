"""The database-backed calendar: overrides and declared years, caching, warnings and year status."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from certflow.core.events.models import Event
from certflow.core.workdays import services
from certflow.core.workdays.models import CalendarDay, CalendarYear
from certflow.core.workdays.selectors import Coverage, calendar_for_db, calendar_years_status
from certflow.core.workdays.services import CalendarDataMissing, save_calendar_day, save_calendar_year

D = date.fromisoformat
pytestmark = pytest.mark.django_db


def declare_2027(by=None):
    # Invented for the tests - NOT the real 2027 schedule.
    save_calendar_day(by=by, day=CalendarDay(date=D("2027-01-01"), is_working_day=False, name="元旦"))
    save_calendar_day(by=by, day=CalendarDay(date=D("2027-02-06"), is_working_day=True, name="调休上班"))
    return save_calendar_year(by=by, year=CalendarYear(year=2027, declared_complete=True, source="测试用通知（虚构）"))


def test_public_functions_use_the_package_for_2026():
    assert services.add_working_days(D("2026-09-30"), 5) == D("2026-10-13")
    assert services.subtract_working_days(D("2026-10-12"), 7) == D("2026-09-24")
    assert services.working_days_between(D("2026-09-24"), D("2026-10-12")) == 7
    assert services.is_working_day(D("2026-02-28"))
    assert not services.is_working_day(D("2026-02-16"))


def test_2027_is_refused_until_declared(cb_admin):
    with pytest.raises(CalendarDataMissing):
        services.add_working_days(D("2026-12-31"), 1)
    declare_2027(cb_admin)
    assert services.add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert services.is_working_day(D("2027-02-06"))


def test_an_override_inside_2026_wins(cb_admin):
    save_calendar_day(by=cb_admin, day=CalendarDay(date=D("2026-10-10"), is_working_day=False, name="更正"))
    assert not services.is_working_day(D("2026-10-10"))
    assert services.add_working_days(D("2026-09-30"), 3) == D("2026-10-12")


def test_calendar_is_built_in_two_queries_then_cached(django_assert_num_queries):
    with django_assert_num_queries(2):
        first = calendar_for_db()
    with django_assert_num_queries(0):
        assert calendar_for_db() is first
        services.add_working_days(D("2026-09-30"), 5)


def test_saving_an_override_clears_the_cache(cb_admin):
    before = calendar_for_db()
    save_calendar_day(by=cb_admin, day=CalendarDay(date=D("2026-03-09"), is_working_day=False, name="更正"))
    assert calendar_for_db() is not before
    assert not services.is_working_day(D("2026-03-09"))


def test_calendar_warning_while_2027_is_missing():
    warning = services.calendar_warning(D("2026-11-24"))
    assert warning is not None
    assert "2027 年的法定节假日安排尚未录入" in warning
    assert "The 2027 public-holiday schedule has not been entered yet" in warning
    assert "2026" not in warning


def test_calendar_warning_gone_once_2027_is_declared(cb_admin):
    declare_2027(cb_admin)
    assert services.calendar_warning(D("2026-11-24")) is None
    assert "2028" in services.calendar_warning(D("2027-03-01"))


def test_calendar_warning_names_both_years_when_both_are_missing():
    warning = services.calendar_warning(D("2030-01-02"))
    assert "2030、2031 年" in warning and "2030 and 2031" in warning


def test_years_status_before_and_after_declaring_2027(cb_admin):
    this_year, next_year = calendar_years_status(D("2026-11-24"))
    assert (this_year.year, this_year.coverage, this_year.override_count) == (2026, Coverage.PACKAGE, 0)
    assert (next_year.year, next_year.coverage) == (2027, Coverage.MISSING) and next_year.is_missing

    save_calendar_day(by=cb_admin, day=CalendarDay(date=D("2026-10-10"), is_working_day=False, name="更正"))
    declare_2027(cb_admin)
    this_year, next_year = calendar_years_status(D("2026-11-24"))
    assert this_year.override_count == 1 and this_year.holiday_overrides == 1
    assert next_year.coverage == Coverage.DECLARED and next_year.declared_complete
    assert (next_year.override_count, next_year.holiday_overrides, next_year.working_overrides) == (2, 1, 1)
    assert next_year.source == "测试用通知（虚构）" and next_year.declared_at is not None


def test_years_status_costs_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar_years_status(D("2026-11-24"))


def test_declaring_a_year_requires_the_notice_and_stamps_the_declarer(cb_admin):
    with pytest.raises(ValidationError):
        save_calendar_year(by=cb_admin, year=CalendarYear(year=2027, declared_complete=True, source=" "))
    year = declare_2027(cb_admin)
    assert year.declared_by == cb_admin and year.declared_at is not None
    year.declared_complete = False
    save_calendar_year(by=cb_admin, year=year)
    year.refresh_from_db()
    assert year.declared_by is None and year.declared_at is None
    with pytest.raises(CalendarDataMissing):
        services.is_working_day(D("2027-01-04"))


def test_changes_land_in_the_event_log(cb_admin):
    day = save_calendar_day(by=cb_admin, day=CalendarDay(date=D("2026-03-09"), is_working_day=False, name="更正"))
    day.is_working_day = True
    save_calendar_day(by=cb_admin, day=day)
    events = list(Event.objects.filter(target_type="workdays.calendarday").order_by("seq"))
    assert [e.action for e in events] == ["workdays.day_created", "workdays.day_changed"]
    assert events[1].before["is_working_day"] is False and events[1].after["is_working_day"] is True
    assert events[1].actor_id == cb_admin.pk

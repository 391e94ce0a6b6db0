"""The pure calendar: package data for 2026, overrides, the counting rules, refusing unknown years."""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from certflow.core.workdays.calendar import CalendarDataMissing, DayOverride, WorkingDayCalendar

D = date.fromisoformat
CAL = WorkingDayCalendar()

# Invented for the tests - NOT the real 2027 schedule, which is not published at the time of writing.
HYPOTHETICAL_2027 = {
    D("2027-01-01"): DayOverride(False, "元旦"),
    D("2027-02-05"): DayOverride(False, "春节"),
    D("2027-02-06"): DayOverride(True, "调休上班"),  # a Saturday
}


def days(start, end):
    d = D(start)
    while d <= D(end):
        yield d
        d += timedelta(days=1)


def test_the_2026_figures_used_below_match_the_package():
    # The brief quoted these dates; check them against the package rather than trusting it.
    assert all(chinese_calendar.is_holiday(d) for d in days("2026-02-15", "2026-02-23"))
    assert all(chinese_calendar.is_holiday(d) for d in days("2026-10-01", "2026-10-07"))
    for make_up in ("2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"):
        assert chinese_calendar.is_workday(D(make_up)) and D(make_up).weekday() >= 5


def test_agrees_with_the_package_on_every_day_it_covers():
    d, end = D("2004-01-01"), D("2026-12-31")
    while d <= end:
        assert CAL.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_spring_festival_2026():
    assert not any(CAL.is_working_day(d) for d in days("2026-02-15", "2026-02-23"))
    assert CAL.is_working_day(D("2026-02-13"))  # Friday before
    assert CAL.is_working_day(D("2026-02-14"))  # make-up Saturday
    assert CAL.is_working_day(D("2026-02-24"))
    assert CAL.is_working_day(D("2026-02-28"))  # make-up Saturday
    assert CAL.describe(D("2026-02-16")).name == "春节"
    assert CAL.describe(D("2026-02-14")).name.startswith("调休上班")


def test_national_day_2026():
    assert not any(CAL.is_working_day(d) for d in days("2026-10-01", "2026-10-07"))
    assert CAL.is_working_day(D("2026-09-20"))  # make-up Sunday
    assert CAL.is_working_day(D("2026-10-10"))  # make-up Saturday


def test_plain_weekend_is_not_a_working_day():
    assert not CAL.is_working_day(D("2026-03-07"))  # Saturday
    assert not CAL.is_working_day(D("2026-03-08"))  # Sunday
    assert CAL.is_working_day(D("2026-03-09"))
    assert CAL.describe(D("2026-03-07")).source == "weekday"


def test_seven_working_days_before_the_day_after_national_day():
    # Back from Mon 12 Oct: Sat 10 (make-up), 9, 8, [1–7 off], 30 Sep, 29, 28, [25–27 Mid-autumn off], 24.
    assert CAL.subtract_working_days(D("2026-10-12"), 7) == D("2026-09-24")
    assert CAL.working_days_between(D("2026-09-24"), D("2026-10-12")) == 7


def test_five_working_days_after_30_september_crosses_a_make_up_saturday():
    # 8, 9, Sat 10 (make-up), Mon 12, Tue 13.
    assert CAL.add_working_days(D("2026-09-30"), 5) == D("2026-10-13")
    assert CAL.add_working_days(D("2026-09-30"), 3) == D("2026-10-10")


def test_spring_festival_counting():
    assert CAL.add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
    assert CAL.add_working_days(D("2026-02-13"), 2) == D("2026-02-24")
    assert CAL.subtract_working_days(D("2026-02-24"), 1) == D("2026-02-14")
    assert CAL.working_days_between(D("2026-02-13"), D("2026-02-28")) == 6  # 14, 24, 25, 26, 27, 28


def test_zero_working_days_is_the_day_itself():
    assert CAL.add_working_days(D("2026-03-07"), 0) == D("2026-03-07")
    assert CAL.subtract_working_days(D("2026-03-07"), 0) == D("2026-03-07")
    assert CAL.working_days_between(D("2026-03-07"), D("2026-03-07")) == 0


def test_start_day_is_not_counted_and_end_day_is():
    assert CAL.add_working_days(D("2026-03-06"), 1) == D("2026-03-09")  # Friday → Monday
    assert CAL.subtract_working_days(D("2026-03-09"), 1) == D("2026-03-06")
    assert CAL.subtract_working_days(D("2026-03-08"), 1) == D("2026-03-06")  # from a Sunday
    assert CAL.working_days_between(D("2026-03-06"), D("2026-03-09")) == 1
    assert CAL.working_days_between(D("2026-03-09"), D("2026-03-06")) == -1


def test_add_subtract_and_between_are_consistent_through_2026():
    for d in days("2026-01-01", "2026-11-30"):
        for n in (1, 2, 5, 7, 10, 15):
            later = CAL.add_working_days(d, n)
            assert CAL.is_working_day(later)
            assert CAL.working_days_between(d, later) == n
            if CAL.is_working_day(d):
                assert CAL.add_working_days(CAL.subtract_working_days(later, n), n) == later
                assert CAL.subtract_working_days(later, n) == d


@pytest.mark.parametrize("bad", [-1, -7])
def test_negative_counts_are_refused(bad):
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(D("2026-03-09"), bad)


@pytest.mark.parametrize("bad", [1.5, "3", True, None])
def test_non_integer_counts_are_refused(bad):
    with pytest.raises(TypeError):
        CAL.subtract_working_days(D("2026-03-09"), bad)


def test_datetimes_are_refused_because_their_day_depends_on_the_time_zone():
    with pytest.raises(TypeError, match="localdate"):
        CAL.is_working_day(datetime(2026, 3, 9, 1, 0))


@pytest.mark.parametrize("day", ["2027-03-01", "2003-06-02", "1999-01-04"])
def test_years_without_data_are_refused(day):
    with pytest.raises(CalendarDataMissing) as caught:
        CAL.is_working_day(D(day))
    exc = caught.value
    year = D(day).year
    assert isinstance(exc, ValueError) and exc.year == year
    assert f"{year} 年的法定节假日安排尚未录入" in exc.message_zh and "国务院办公厅" in exc.message_zh
    assert f"The {year} public-holiday schedule has not been entered yet" in exc.message_en
    assert exc.message_zh in str(exc) and exc.message_en in str(exc)


def test_a_count_that_runs_into_2027_is_refused_not_guessed():
    assert CAL.add_working_days(D("2026-12-28"), 3) == D("2026-12-31")
    with pytest.raises(CalendarDataMissing) as caught:
        CAL.add_working_days(D("2026-12-28"), 4)
    assert caught.value.year == 2027
    with pytest.raises(CalendarDataMissing, match="2003"):
        CAL.subtract_working_days(D("2004-01-05"), 3)
    with pytest.raises(CalendarDataMissing):
        CAL.working_days_between(D("2026-12-30"), D("2027-01-05"))


def test_coverage():
    assert all(CAL.year_is_covered(y) for y in range(2004, 2027))
    assert not CAL.year_is_covered(2003) and not CAL.year_is_covered(2027)


def test_2027_overrides_alone_do_not_make_the_year_computable():
    cal = WorkingDayCalendar(overrides=HYPOTHETICAL_2027)
    with pytest.raises(CalendarDataMissing):
        cal.is_working_day(D("2027-01-04"))


def test_2027_declared_complete_is_computable():
    cal = WorkingDayCalendar(overrides=HYPOTHETICAL_2027, declared_years={2027})
    assert cal.year_is_covered(2027) and not cal.year_in_package(2027)
    assert not cal.is_working_day(D("2027-01-01"))
    assert cal.is_working_day(D("2027-01-04"))  # an ordinary Monday
    assert not cal.is_working_day(D("2027-01-09"))  # an ordinary Saturday
    assert cal.is_working_day(D("2027-02-06"))  # the declared make-up Saturday
    assert cal.describe(D("2027-02-05")).source == "override"
    # 31 Dec 2026 (Thu) + 1 skips the declared New Year holiday and the weekend.
    assert cal.add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert cal.working_days_between(D("2026-12-30"), D("2027-01-05")) == 3  # 31 Dec, 4 and 5 Jan


def test_an_override_inside_2026_wins_over_the_package():
    cal = WorkingDayCalendar(
        overrides={
            D("2026-10-10"): DayOverride(False, "更正：不调休"),
            D("2026-03-09"): DayOverride(False, "更正：放假"),
        }
    )
    assert not cal.is_working_day(D("2026-10-10"))
    assert not cal.is_working_day(D("2026-03-09"))
    assert cal.describe(D("2026-10-10")).name == "更正：不调休"
    assert cal.add_working_days(D("2026-09-30"), 3) == D("2026-10-12")
    assert CAL.add_working_days(D("2026-09-30"), 3) == D("2026-10-10")  # the package calendar is untouched

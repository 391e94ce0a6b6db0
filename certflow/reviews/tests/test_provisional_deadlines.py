"""Correction deadlines ending in a year without holiday data are provisional until it is entered (R10)."""

from datetime import date

import pytest

from certflow.core.events.models import Event
from certflow.core.workdays.calendar import CalendarDataMissing
from certflow.core.workdays.models import CalendarDay, CalendarYear
from certflow.core.workdays.services import save_calendar_day, save_calendar_year
from certflow.notifications.models import Notification
from certflow.reviews import domain, services
from certflow.reviews.models import Nonconformity
from certflow.reviews.tests.helpers import record_all

REPORTED = date(2026, 12, 1)  # minor: 60 days → Saturday 2027-01-30; major: 30 days → Thursday 2026-12-31


def _no_2027(day: date) -> bool:
    if day.year >= 2027:
        raise CalendarDataMissing(day.year)
    return day.weekday() < 5


def _add(day: date, n: int) -> date:
    raise AssertionError("calendar periods roll forward through is_working_day only")


@pytest.mark.parametrize(
    ("unit", "amount", "expected"),
    [("calendar_days", 60, date(2027, 1, 30)), ("months", 2, date(2027, 2, 1)), ("years", 1, date(2027, 12, 1))],
)
def test_a_calendar_period_ending_in_an_unentered_year_is_its_plain_end_date_marked_provisional(unit, amount, expected):
    due = domain.correction_due_or_provisional(
        REPORTED, amount=amount, unit=unit, add_working_days=_add, is_working_day=_no_2027, missing=CalendarDataMissing
    )
    assert due == (expected, True)


def test_a_period_ending_in_a_known_year_is_final():
    due = domain.correction_due_or_provisional(
        REPORTED,
        amount=30,
        unit="calendar_days",
        add_working_days=_add,
        is_working_day=_no_2027,
        missing=CalendarDataMissing,
    )
    assert due == (date(2026, 12, 31), False)


def test_a_working_day_period_into_an_unentered_year_is_still_refused():
    def add_missing(day, n):
        raise CalendarDataMissing(2027)

    with pytest.raises(CalendarDataMissing):
        domain.correction_due_or_provisional(
            REPORTED,
            amount=30,
            unit="working_days",
            add_working_days=add_missing,
            is_working_day=_no_2027,
            missing=CalendarDataMissing,
        )


@pytest.fixture
def completed(review, auditor):
    record_all(review, auditor, {"4.1-1": "minor", "4.1-2": "major"})
    return services.review_complete(by=auditor, review=review, summary="结论", today=REPORTED)


def _ncs(review):
    return {nc.grade: nc for nc in Nonconformity.objects.filter(review=review)}


def test_a_review_completes_with_a_provisional_deadline_instead_of_being_refused(completed):
    ncs = _ncs(completed)
    assert (ncs["minor"].due_date, ncs["minor"].due_provisional) == (date(2027, 1, 30), True)
    assert (ncs["major"].due_date, ncs["major"].due_provisional) == (date(2026, 12, 31), False)


def test_entering_the_year_settles_the_deadline_and_tells_the_enterprise_when_it_moves(completed, cb_admin):
    minor = _ncs(completed)["minor"]
    save_calendar_day(by=cb_admin, day=CalendarDay(date=date(2027, 1, 1), is_working_day=False, name="元旦"))
    assert Nonconformity.objects.get(pk=minor.pk).due_provisional  # a single day does not complete the year
    save_calendar_year(by=cb_admin, year=CalendarYear(year=2027, declared_complete=True, source="国办发明电〔2026〕"))
    settled = Nonconformity.objects.get(pk=minor.pk)
    # Saturday 2027-01-30 is a day off: the period ends on Monday 2027-02-01 (Civil Code art. 203).
    assert (settled.due_date, settled.due_provisional) == (date(2027, 2, 1), False)
    event = Event.objects.get(action="nonconformity.due_date_settled")
    assert event.before["due_date"] == "2027-01-30" and event.after["due_date"] == "2027-02-01"
    assert Notification.objects.filter(kind="nonconformity.due_date_settled").exists()


def test_a_make_up_working_saturday_keeps_the_date_and_sends_nothing(completed, cb_admin):
    minor = _ncs(completed)["minor"]
    save_calendar_day(by=cb_admin, day=CalendarDay(date=date(2027, 1, 30), is_working_day=True, name="调休上班"))
    save_calendar_year(by=cb_admin, year=CalendarYear(year=2027, declared_complete=True, source="国办发明电〔2026〕"))
    settled = Nonconformity.objects.get(pk=minor.pk)
    assert (settled.due_date, settled.due_provisional) == (date(2027, 1, 30), False)
    assert not Notification.objects.filter(kind="nonconformity.due_date_settled").exists()

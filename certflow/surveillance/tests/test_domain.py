"""The surveillance programme's pure rules: month arithmetic, windows, obligation states, outcomes."""

from datetime import date

import pytest

from certflow.core.rules import RuleViolation
from certflow.surveillance import domain
from certflow.surveillance.domain import AuditFacts, NcFacts, ObligationState, ReminderKind, Rules

A0 = Rules()  # the A/0 scheme: once a year, first within 12 months, window 3 months before, 0 after


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert domain.add_months(start, months) == expected


def test_three_yearly_windows_of_a_three_year_certificate():
    ws = domain.windows(date(2026, 3, 2), date(2029, 3, 2), A0)
    assert [(w.number, w.anniversary, w.opens, w.closes, w.recertification_counts) for w in ws] == [
        (1, date(2027, 3, 2), date(2026, 12, 2), date(2027, 3, 2), False),
        (2, date(2028, 3, 2), date(2027, 12, 2), date(2028, 3, 2), False),
        (3, date(2029, 3, 2), date(2028, 12, 2), date(2029, 3, 2), True),
    ]


def test_issued_on_29_february():
    ws = domain.windows(date(2024, 2, 29), date(2027, 2, 28), A0)
    assert [(w.anniversary, w.opens, w.closes) for w in ws] == [
        (date(2025, 2, 28), date(2024, 11, 28), date(2025, 2, 28)),
        (date(2026, 2, 28), date(2025, 11, 28), date(2026, 2, 28)),
        (date(2027, 2, 28), date(2026, 11, 28), date(2027, 2, 28)),
    ]


def test_issued_on_28_february_of_a_common_year():
    ws = domain.windows(date(2026, 2, 28), date(2029, 2, 28), A0)
    assert ws[0].opens == date(2026, 11, 28) and ws[0].closes == date(2027, 2, 28)
    assert ws[1].anniversary == date(2028, 2, 28)  # 2028 is a leap year: still the 28th, the same day


def test_window_opening_clamps_at_the_end_of_a_short_month():
    ws = domain.windows(date(2025, 5, 31), date(2028, 5, 31), A0)
    assert ws[0].opens == date(2026, 2, 28) and ws[0].closes == date(2026, 5, 31)
    assert ws[1].opens == date(2027, 2, 28)


def test_first_window_closes_no_later_than_first_within_months():
    rules = Rules(first_within_months=9, window_months_before=3)
    first, second = domain.windows(date(2026, 3, 2), date(2029, 3, 2), rules)[:2]
    assert (first.opens, first.closes) == (date(2026, 12, 2), date(2026, 12, 2))
    assert second.closes == date(2028, 3, 2)  # only the first is pulled forward


def test_first_window_never_opens_after_it_closes_nor_before_the_decision():
    rules = Rules(first_within_months=6, window_months_before=3)
    first = domain.windows(date(2026, 3, 2), date(2029, 3, 2), rules)[0]
    assert first.opens == first.closes == date(2026, 9, 2)
    wide = Rules(window_months_before=14)
    assert domain.windows(date(2026, 3, 2), date(2029, 3, 2), wide)[0].opens == date(2026, 3, 2)


def test_window_after_the_anniversary():
    rules = Rules(window_months_after=1)
    first, second = domain.windows(date(2026, 3, 2), date(2029, 3, 2), rules)[:2]
    assert first.closes == date(2027, 3, 2)  # capped by first_within_months
    assert second.closes == date(2028, 4, 2)


def test_twice_a_year():
    ws = domain.windows(date(2026, 3, 2), date(2029, 3, 2), Rules(per_validity_year=2, window_months_before=1))
    assert len(ws) == 6
    assert [w.anniversary for w in ws[:2]] == [date(2026, 9, 2), date(2027, 3, 2)]
    assert [w.recertification_counts for w in ws] == [False] * 5 + [True]


def test_recertification_flag_follows_the_scheme():
    ws = domain.windows(date(2026, 3, 2), date(2029, 3, 2), Rules(recertification_audit_counts=False))
    assert not any(w.recertification_counts for w in ws)


def test_a_shortened_certificate_owes_only_the_windows_before_its_expiry():
    ws = domain.windows(date(2026, 3, 2), date(2028, 6, 1), A0)
    assert [w.number for w in ws] == [1, 2]
    assert ws[-1].recertification_counts


def test_bad_frequency_and_bad_dates_are_refused():
    with pytest.raises(RuleViolation) as exc:
        domain.windows(date(2026, 3, 2), date(2029, 3, 2), Rules(per_validity_year=5))
    assert exc.value.code == "bad_frequency"
    with pytest.raises(RuleViolation):
        domain.windows(date(2026, 3, 2), date(2025, 3, 2), A0)


# --- states ------------------------------------------------------------------------------------------

W1 = domain.windows(date(2026, 3, 2), date(2029, 3, 2), A0)[0]  # 2026-12-02 .. 2027-03-02
W3 = domain.windows(date(2026, 3, 2), date(2029, 3, 2), A0)[2]  # 2028-12-02 .. 2029-03-02


def surv(window=1, *, open=False, held_on=None, first_day=None, pk=1):
    return AuditFacts(pk, f"SH-{pk}", "surveillance", window, open, held_on, first_day)


def recert(*, held_on=None, first_day=None, open=False, pk=9):
    return AuditFacts(pk, f"SH-{pk}", "recertification", None, open, held_on, first_day)


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (date(2026, 12, 1), ObligationState.NOT_YET_OPEN),
        (date(2026, 12, 2), ObligationState.DUE),
        (date(2027, 3, 2), ObligationState.DUE),
        (date(2027, 3, 3), ObligationState.OVERDUE),
    ],
)
def test_state_on_the_boundary_days_without_audit(day, state):
    assert domain.obligation(W1, [], day).state == state


def test_planned_before_and_in_the_window_overdue_after_it():
    audit = surv(open=True, first_day=date(2027, 1, 10))
    assert domain.obligation(W1, [audit], date(2026, 11, 1)).state == ObligationState.PLANNED
    assert domain.obligation(W1, [audit], date(2027, 3, 2)).state == ObligationState.PLANNED
    assert domain.obligation(W1, [audit], date(2027, 3, 3)).state == ObligationState.OVERDUE


def test_planned_for_a_day_after_the_window_is_flagged():
    o = domain.obligation(W1, [surv(open=True, first_day=date(2027, 3, 10))], date(2027, 1, 1))
    assert o.state == ObligationState.PLANNED and o.planned_late


def test_done_when_the_closing_meeting_was_held_even_if_late():
    on_time = domain.obligation(W1, [surv(held_on=date(2027, 3, 2))], date(2027, 6, 1))
    assert on_time.state == ObligationState.DONE and not on_time.late
    late = domain.obligation(W1, [surv(held_on=date(2027, 3, 3))], date(2027, 6, 1))
    assert late.state == ObligationState.DONE and late.late


def test_an_audit_for_another_window_or_cancelled_does_not_count():
    assert domain.obligation(W1, [surv(window=2, held_on=date(2027, 1, 5))], date(2027, 1, 6)).state == "due"
    assert domain.obligation(W1, [surv(open=False)], date(2027, 1, 6)).state == "due"


def test_recertification_audit_counts_only_in_the_last_window_and_only_within_it():
    assert domain.obligation(W3, [recert(held_on=date(2028, 12, 2))], date(2029, 1, 1)).state == "done"
    assert domain.obligation(W3, [recert(held_on=date(2028, 12, 1))], date(2029, 1, 1)).state == "due"
    assert domain.obligation(W3, [recert(open=True, first_day=date(2029, 2, 1))], date(2029, 1, 1)).state == "planned"
    assert domain.obligation(W1, [recert(held_on=date(2027, 1, 5))], date(2027, 1, 6)).state == "due"


def test_next_obligation_and_window_for_a_new_audit():
    ws = domain.windows(date(2026, 3, 2), date(2029, 3, 2), A0)
    obligations = domain.programme(ws, [surv(1, held_on=date(2027, 1, 5)), surv(2, open=True, pk=2)], date(2027, 6, 1))
    assert [o.state for o in obligations] == ["done", "planned", "not_yet_open"]
    assert domain.next_obligation(obligations).window.number == 2
    assert domain.window_for_new_audit(obligations).number == 3
    everything = domain.programme(ws, [surv(n, held_on=date(2027, 1, 5), pk=n) for n in (1, 2, 3)], date(2027, 6, 1))
    assert domain.next_obligation(everything) is None
    with pytest.raises(RuleViolation) as exc:
        domain.window_for_new_audit(everything)
    assert exc.value.code == "nothing_due"


def test_programme_only_for_current_scheme_certificates_in_force():
    domain.guard_programme(status="suspended", is_legacy=False, has_scheme=True)
    for kwargs, code in (
        ({"status": "valid", "is_legacy": True, "has_scheme": False}, "legacy"),
        ({"status": "valid", "is_legacy": False, "has_scheme": False}, "legacy"),
        ({"status": "revoked", "is_legacy": False, "has_scheme": True}, "not_in_force"),
        ({"status": "expired", "is_legacy": False, "has_scheme": True}, "not_in_force"),
    ):
        with pytest.raises(RuleViolation) as exc:
            domain.guard_programme(**kwargs)
        assert exc.value.code == code


# --- outcomes ----------------------------------------------------------------------------------------


def test_a_major_suspends_with_its_numbers_minors_do_not():
    assert domain.suspension_reason("SH2027-00001", [NcFacts("NC-1", "minor", "open")]) is None
    reason = domain.suspension_reason(
        "SH2027-00001",
        [NcFacts("NC-3", "major", "open"), NcFacts("NC-1", "minor", "open"), NcFacts("NC-2", "major", "open")],
    )
    assert "NC-2、NC-3" in reason and "SH2027-00001" in reason and "NC-1" not in reason


def test_restored_only_when_every_major_is_verified():
    majors = [NcFacts("NC-1", "major", "verified"), NcFacts("NC-2", "major", "action_submitted")]
    assert not domain.restore_due(majors)
    assert domain.restore_due([NcFacts("NC-1", "major", "verified"), NcFacts("NC-3", "minor", "open")])
    assert not domain.restore_due([NcFacts("NC-3", "minor", "verified")])
    assert "NC-1" in domain.restore_reason("SH1", [NcFacts("NC-1", "major", "verified")])


# --- reminders ---------------------------------------------------------------------------------------


def test_reminders_on_opening_and_after_closing():
    ws = domain.windows(date(2026, 3, 2), date(2029, 3, 2), A0)
    before = domain.programme(ws, [], date(2026, 12, 1))
    assert domain.reminders_due(before, date(2026, 12, 1)) == []
    opening = domain.programme(ws, [], date(2026, 12, 2))
    assert domain.reminders_due(opening, date(2026, 12, 2)) == [(ReminderKind.OPENED, ws[0])]
    last_day = domain.programme(ws, [], date(2027, 3, 2))
    assert domain.reminders_due(last_day, date(2027, 3, 2)) == [(ReminderKind.OPENED, ws[0])]
    after = domain.programme(ws, [], date(2027, 3, 3))
    assert domain.reminders_due(after, date(2027, 3, 3)) == [(ReminderKind.OVERDUE, ws[0])]
    planned = domain.programme(ws, [surv(open=True)], date(2026, 12, 2))
    assert domain.reminders_due(planned, date(2026, 12, 2)) == []

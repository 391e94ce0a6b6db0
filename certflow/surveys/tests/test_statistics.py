"""满意度 ≥ 80 %（含 80 %）decided exactly; the Wilson interval; numbers printed on the verdict's side."""

from fractions import Fraction

import pytest

from certflow.core.schemes.registry import get_scheme
from certflow.surveys.statistics import (
    Verdict,
    evaluate,
    meets,
    percent_text,
    ratio,
    response_rate,
    target_reached,
    threshold_text,
    wilson,
)

RULES = get_scheme().survey
Z = Fraction(196, 100)


def test_the_threshold_comes_from_the_scheme_and_is_inclusive():
    assert RULES.threshold.value == Fraction(4, 5) and RULES.threshold.inclusive
    assert RULES.sample_size.z == Z


@pytest.mark.parametrize(
    ("satisfied", "answered"),
    [
        (80, 100),
        (4, 5),
        (8, 10),
        (12, 15),
        (28, 35),
        (40, 50),
        (400, 500),
        (296, 370),  # 74 respondents × 5 dimensions
        (3608, 4510),
        (8_000_000, 10_000_000),
        (80_001, 100_000),  # 80.001 %
        (800_001, 1_000_000),  # 80.0001 %
        (1, 1),
        (5, 6),
    ],
)
def test_exactly_80_percent_and_anything_above_passes(satisfied, answered):
    outcome = evaluate(answered, satisfied, RULES)
    assert outcome.passed is True and outcome.verdict == Verdict.PASSED
    assert outcome.share == Fraction(satisfied, answered)


@pytest.mark.parametrize(
    ("satisfied", "answered"),
    [
        (79, 100),
        (3, 4),
        (3999, 5000),  # 79.98 %
        (7_999_999, 10_000_000),  # 79.99999 %
        (39, 49),  # 79.59… %: one more rating than 40/50 would need
        (11, 14),  # 78.57… %
        (27, 34),  # 79.41… %
        (2, 3),
        (0, 7),
        (29_333, 36_667),  # 79.9999… %, a prime-ish denominator
    ],
)
def test_anything_below_80_percent_fails(satisfied, answered):
    outcome = evaluate(answered, satisfied, RULES)
    assert outcome.passed is False and outcome.verdict == Verdict.FAILED


def test_every_denominator_up_to_500_splits_exactly_at_80_percent():
    # For each n, the smallest passing count is ⌈0.8 n⌉ — computed here in integers, independently.
    for answered in range(1, 501):
        smallest = -(-4 * answered // 5)
        assert evaluate(answered, smallest, RULES).passed, answered
        if smallest:
            assert not evaluate(answered, smallest - 1, RULES).passed, answered


def test_our_rule_agrees_with_the_schemes_own_passes():
    for answered in (1, 3, 7, 15, 49, 50, 97, 370):
        for satisfied in range(answered + 1):
            assert evaluate(answered, satisfied, RULES).passed == RULES.passes(Fraction(satisfied, answered))


def test_a_float_running_share_gets_exactly_80_percent_wrong_and_we_do_not():
    # Eight satisfied ratings out of ten, added up as the share each contributes (0.1 at a time), sum to
    # 0.7999999999999999 in binary floating point: a float rule would fail a result the standard passes.
    share = 0.0
    for rating in [5, 4, 4, 5, 4, 4, 5, 4, 2, 3]:
        share += (rating >= 4) / 10
    assert share < 0.8  # the float trap is real
    assert evaluate(10, 8, RULES).passed


def test_an_exclusive_threshold_would_fail_exactly_80_percent():
    assert meets(4, 5, Fraction(4, 5), inclusive=True)
    assert not meets(4, 5, Fraction(4, 5), inclusive=False)
    assert meets(800_001, 1_000_000, Fraction(4, 5), inclusive=False)


def test_nothing_answered_is_no_result_neither_pass_nor_fail():
    outcome = evaluate(0, 0, RULES)
    assert outcome.passed is None and outcome.verdict == Verdict.NO_RESULT
    assert outcome.share is None and outcome.interval is None
    assert outcome.share_text == "—" and outcome.fraction_text == "—" and outcome.interval_text == "—"


@pytest.mark.parametrize(("answered", "satisfied"), [(-1, 0), (5, 6), (5, -1)])
def test_impossible_counts_are_refused(answered, satisfied):
    with pytest.raises(ValueError):
        evaluate(answered, satisfied, RULES)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857–872, table II, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
        # 8 of 10 (checked by hand from the formula)
        (8, 10, 0.4902, 0.9433),
    ],
)
def test_wilson_interval_matches_published_values(successes, trials, low, high):
    interval = wilson(successes, trials, Z)
    assert round(interval.low, 4) == low and round(interval.high, 4) == high


def test_the_interval_is_information_only_a_pass_can_have_a_low_end_far_below_80():
    outcome = evaluate(5, 4, RULES)
    assert outcome.passed and outcome.interval.low < 0.5
    assert outcome.interval.low <= float(outcome.share) <= outcome.interval.high


def test_wilson_refuses_impossible_input():
    with pytest.raises(ValueError):
        wilson(3, 0, Z)
    with pytest.raises(ValueError):
        wilson(4, 3, Z)


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (Fraction(4, 5), "80.0 %"),
        (Fraction(7996, 10000), "79.9 %"),  # rounding would print 80.0 % beside a fail
        (Fraction(7_999_999, 10_000_000), "79.9 %"),
        (Fraction(80_001, 100_000), "80.0 %"),
        (Fraction(2, 3), "66.6 %"),
        (Fraction(1), "100.0 %"),
        (Fraction(0), "0.0 %"),
        (None, "—"),
    ],
)
def test_percent_text_cuts_towards_zero(share, text):
    assert percent_text(share) == text


def test_a_printed_share_is_always_on_the_verdicts_side_of_80():
    for answered in range(1, 1200):
        for satisfied in {-(-4 * answered // 5) - 1, -(-4 * answered // 5)}:
            if not 0 <= satisfied <= answered:
                continue
            outcome = evaluate(answered, satisfied, RULES)
            printed = float(outcome.share_text.removesuffix(" %"))
            assert (printed >= 80) == outcome.passed, (satisfied, answered, outcome.share_text)


def test_interval_text_rounds_outwards():
    outcome = evaluate(10, 8, RULES)
    assert outcome.interval_text == "49.0 % – 94.4 %"
    assert percent_text(Fraction(2, 3), up=True) == "66.7 %"


def test_threshold_text():
    assert threshold_text(Fraction(4, 5), True) == "≥ 80 %"
    assert threshold_text(Fraction(4, 5), False) == "> 80 %"
    assert threshold_text(Fraction(2, 3), True) == "≥ 2/3"
    assert evaluate(3, 3, RULES).threshold_text == "≥ 80 %"


def test_rates_without_a_denominator_are_none():
    assert response_rate(30, 40) == Fraction(3, 4)
    assert response_rate(0, 0) is None
    assert target_reached(45, 40) == Fraction(9, 8)
    assert target_reached(3, None) is None
    assert ratio(1, 3) == Fraction(1, 3)

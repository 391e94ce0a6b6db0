"""Property-based tests (Hypothesis) for the pure rules that take outside input: the USCC validator,
working-day arithmetic, the survey statistics and the certificate signature verifier.

Example counts are kept moderate (PROFILE) so this file runs in seconds; no example database is
written into the working tree.
"""

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from certflow.accounts.uscc import (
    ALPHABET,
    AUTHORITIES,
    USCCError,
    check_character,
    is_valid_uscc,
    normalize_uscc,
    validate_uscc,
)
from certflow.certificates import signing
from certflow.core.schemes.registry import get_scheme
from certflow.core.workdays.calendar import CalendarDataMissing, DayOverride, WorkingDayCalendar, package_data
from certflow.surveys.statistics import evaluate, meets, wilson

PROFILE = settings(max_examples=120, deadline=None, database=None)

# --- USCC (GB 32100-2015) -------------------------------------------------------------------------

valid_uscc = st.builds(
    lambda authority, category, division, identity: (
        (body := authority + category + division + identity) + check_character(body)
    ),
    st.sampled_from(sorted(AUTHORITIES)),
    st.sampled_from(ALPHABET),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)


@PROFILE
@given(valid_uscc)
def test_every_well_formed_code_passes(code):
    assert validate_uscc(code) == code


@PROFILE
@given(valid_uscc, st.data())
def test_lower_case_full_width_and_spaces_are_normalised(code, data):
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if data.draw(st.booleans()) else c for c in code)
    spaced = " ".join([fullwidth[:6], fullwidth[6:12], fullwidth[12:]])
    assert validate_uscc(spaced) == code
    assert validate_uscc(code.lower()) == code


@PROFILE
@given(valid_uscc)
def test_full_width_lower_case_is_normalised(code):
    # is_valid_uscc, not validate_uscc: the result is a plain bool, no exception crosses Hypothesis.
    assert is_valid_uscc("".join(chr(ord(c) + 0xFEE0) for c in code).lower())


@PROFILE
@given(valid_uscc, st.integers(0, 17), st.characters(exclude_categories=("Cs",)))
def test_any_single_character_change_is_refused(code, position, replacement):
    assume(normalize_uscc(replacement) != code[position])
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(USCCError):
        validate_uscc(changed)


@PROFILE
@given(valid_uscc, st.integers(0, 15))
def test_swapping_two_neighbours_in_the_body_is_refused(code, position):
    # The weights 3^i mod 31 differ pairwise and 31 is prime, so the check character always sees a swap.
    assume(code[position] != code[position + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    with pytest.raises(USCCError):
        validate_uscc(swapped)


@PROFILE
@given(st.text())
def test_random_text_is_answered_never_crashes(text):
    try:
        code = validate_uscc(text)
    except USCCError as exc:
        assert exc.zh and exc.en
    else:
        assert len(code) == 18 and code[17] == check_character(code[:17])


# --- working days ------------------------------------------------------------------------------------

YEARS = sorted(package_data().years)
FIRST, LAST = date(YEARS[0], 1, 1), date(YEARS[-1], 12, 31)
covered_dates = st.dates(FIRST, LAST)
counts = st.integers(0, 40)
overrides = st.dictionaries(
    covered_dates, st.builds(DayOverride, st.booleans(), st.sampled_from(["", "调休上班", "临时休假"])), max_size=20
)


def _calendar(extra: dict) -> WorkingDayCalendar:
    return WorkingDayCalendar(overrides=extra)


def _or_missing(function, *args):
    """The result, or None when the walk reached a year without data (the only error allowed)."""
    try:
        return function(*args)
    except CalendarDataMissing as exc:
        assert exc.year not in YEARS
        return None


@PROFILE
@given(overrides, covered_dates, counts)
def test_adding_lands_on_a_working_day_exactly_n_working_days_on(extra, start, n):
    calendar = _calendar(extra)
    result = _or_missing(calendar.add_working_days, start, n)
    assume(result is not None)
    if n == 0:
        assert result == start
    else:
        assert result > start and calendar.is_working_day(result)
        assert calendar.working_days_between(start, result) == n


@PROFILE
@given(overrides, covered_dates, counts)
def test_subtracting_lands_on_a_working_day_exactly_n_working_days_before(extra, end, n):
    calendar = _calendar(extra)
    result = _or_missing(calendar.subtract_working_days, end, n)
    assume(result is not None)
    if n == 0:
        assert result == end
    else:
        assert result < end and calendar.is_working_day(result)
        # n working days in [result, end): result itself and n - 1 after it, before end.
        assert calendar.working_days_between(result, end - timedelta(days=1)) == n - 1


@PROFILE
@given(overrides, covered_dates, st.integers(1, 40))
def test_add_and_subtract_are_inverse_on_working_days(extra, day, n):
    calendar = _calendar(extra)
    assume(_or_missing(calendar.is_working_day, day))
    forward = _or_missing(calendar.add_working_days, day, n)
    if forward is not None:
        assert _or_missing(calendar.subtract_working_days, forward, n) in (day, None)
    backward = _or_missing(calendar.subtract_working_days, day, n)
    if backward is not None:
        assert _or_missing(calendar.add_working_days, backward, n) in (day, None)


@PROFILE
@given(overrides, covered_dates, covered_dates, counts, counts)
def test_adding_is_monotonic_in_the_date_and_the_count(extra, a, b, m, n):
    calendar = _calendar(extra)
    a, b = min(a, b), max(a, b)
    m, n = min(m, n), max(m, n)
    results = [_or_missing(calendar.add_working_days, *args) for args in ((a, m), (a, n), (b, n))]
    assume(None not in results)
    assert results[0] <= results[1] <= results[2]


@PROFILE
@given(st.dates(date(YEARS[-1], 11, 1), LAST), st.integers(0, 400))
def test_running_past_the_data_raises_only_calendar_data_missing(start, n):
    calendar = WorkingDayCalendar()
    try:
        result = calendar.add_working_days(start, n)
    except CalendarDataMissing as exc:
        assert exc.year == YEARS[-1] + 1 and str(exc.year) in exc.message_zh
    else:
        assert result.year == YEARS[-1]


@PROFILE
@given(st.dates(date(YEARS[-1] + 1, 1, 1), date(YEARS[-1] + 1, 12, 31)), counts)
def test_a_declared_year_counts_by_weekday_rule_and_an_undeclared_one_refuses(day, n):
    with pytest.raises(CalendarDataMissing):
        WorkingDayCalendar().is_working_day(day)
    declared = WorkingDayCalendar(declared_years=[day.year])
    assert declared.is_working_day(day) == (day.weekday() < 5)
    result = _or_missing(declared.add_working_days, day, n)
    if result is not None and n:
        assert result.weekday() < 5


@PROFILE
@given(covered_dates, st.integers(max_value=-1))
def test_a_negative_count_is_a_clear_value_error(day, n):
    with pytest.raises(ValueError, match="must not be negative"):
        WorkingDayCalendar().add_working_days(day, n)


# --- survey statistics ----------------------------------------------------------------------------------

RULES = get_scheme().survey
answered_and_satisfied = st.integers(1, 10**6).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


def test_the_scheme_threshold_is_80_percent_inclusive():
    assert RULES.threshold.value == Fraction(4, 5) and RULES.threshold.inclusive


@PROFILE
@given(answered_and_satisfied)
def test_the_verdict_is_exactly_satisfied_over_answered_at_least_80_percent(pair):
    answered, satisfied = pair
    outcome = evaluate(answered, satisfied, RULES)
    assert outcome.share == Fraction(satisfied, answered)
    assert outcome.passed is (5 * satisfied >= 4 * answered)
    assert outcome.verdict == ("passed" if outcome.passed else "failed")


@PROFILE
@given(st.integers(1, 10**5).map(lambda k: 5 * k))
def test_exactly_80_percent_passes_and_one_fewer_fails(answered):
    assert evaluate(answered, answered * 4 // 5, RULES).passed
    assert not evaluate(answered, answered * 4 // 5 - 1, RULES).passed


@PROFILE
@given(answered_and_satisfied)
def test_the_interval_lies_in_0_1_and_holds_the_estimate(pair):
    answered, satisfied = pair
    interval = evaluate(answered, satisfied, RULES).interval
    assert 0.0 <= interval.low <= satisfied / answered <= interval.high <= 1.0


@PROFILE
@given(answered_and_satisfied, st.fractions(Fraction(1, 100), Fraction(4)))
def test_wilson_holds_for_any_z(pair, z):
    trials, successes = pair
    interval = wilson(successes, trials, z)
    assert 0.0 <= interval.low <= successes / trials <= interval.high <= 1.0


@PROFILE
@given(st.integers(-5, 50), st.integers(-5, 60))
def test_out_of_range_counts_are_a_value_error_and_nothing_answered_is_no_result(answered, satisfied):
    if answered == 0 and satisfied == 0:
        outcome = evaluate(0, 0, RULES)
        assert outcome.passed is None and outcome.verdict == "no_result" and outcome.interval is None
    elif answered >= 0 and 0 <= satisfied <= answered:
        assert evaluate(answered, satisfied, RULES).passed == meets(satisfied, answered, Fraction(4, 5), inclusive=True)
    else:
        with pytest.raises(ValueError):
            evaluate(answered, satisfied, RULES)


# --- certificate signatures ------------------------------------------------------------------------------

PRIVATE = Ed25519PrivateKey.generate()
KEY_ID = signing.key_id(PRIVATE.public_key())
KEYS = {KEY_ID: PRIVATE.public_key()}

claims = st.builds(
    signing.Claims,
    number=st.text(min_size=1, max_size=30),
    enterprise_name=st.text(max_size=40),
    uscc=valid_uscc,
    scope=st.text(max_size=80),
    grade=st.sampled_from(["五星", "四星", "三星", "达标"]),
    scheme=st.just("CTS OLS/GZ-0056-2025"),
    issued_on=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    expires_on=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
)


def _authentic(payload: str, signature: str) -> bool:
    result = signing.verify_encoded(payload, signature, KEYS)
    assert result.authentic is (not result.problem_en)
    return result.authentic


@PROFILE
@given(claims)
def test_a_genuine_signature_verifies_with_the_same_claims(c):
    signed = signing.sign(c, PRIVATE)
    result = signing.verify_encoded(signed.payload, signed.signature, KEYS)
    assert result.authentic and result.claims == replace(c, key_id=KEY_ID)


@PROFILE
@given(st.binary(max_size=300), st.binary(max_size=100))
def test_random_bytes_never_verify(payload, signature):
    assert not _authentic(signing.b64url_encode(payload), signing.b64url_encode(signature))


@PROFILE
@given(st.text(max_size=300), st.text(max_size=100))
def test_random_text_never_verifies_nor_crashes(payload, signature):
    assert not _authentic(payload, signature)


@PROFILE
@given(claims, st.binary(min_size=64, max_size=64))
def test_a_well_formed_payload_with_a_random_signature_never_verifies(c, signature):
    signed = signing.sign(c, PRIVATE)
    assert not _authentic(signed.payload, signing.b64url_encode(signature))


@PROFILE
@given(claims, st.data())
def test_any_flipped_bit_in_payload_or_signature_is_refused(c, data):
    signed = signing.sign(c, PRIVATE)
    payload, signature = signing.b64url_decode(signed.payload), signing.b64url_decode(signed.signature)
    target = data.draw(st.sampled_from(["payload", "signature"]))
    raw = bytearray(payload if target == "payload" else signature)
    position = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[position // 8] ^= 1 << (position % 8)
    if target == "payload":
        assert not _authentic(signing.b64url_encode(bytes(raw)), signed.signature)
    else:
        assert not _authentic(signed.payload, signing.b64url_encode(bytes(raw)))


@PROFILE
@given(claims, st.data())
def test_a_changed_character_of_the_encoded_text_never_verifies_other_claims(c, data):
    """base64 lets the last character's spare bits vary, so a changed character may still decode to the
    very same bytes; it must never verify as anything but the claims that were signed."""
    signed = signing.sign(c, PRIVATE)
    field = data.draw(st.sampled_from(["payload", "signature"]))
    text = getattr(signed, field)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters(exclude_categories=("Cs",)))
    assume(replacement != text[position])
    changed = text[:position] + replacement + text[position + 1 :]
    args = (changed, signed.signature) if field == "payload" else (signed.payload, changed)
    result = signing.verify_encoded(*args, KEYS)
    if result.authentic:
        assert signing.b64url_decode(args[0]) == signing.b64url_decode(signed.payload)
        assert signing.b64url_decode(args[1]) == signing.b64url_decode(signed.signature)


@PROFILE
@given(claims)
def test_a_signature_by_another_key_claiming_our_key_id_is_refused(c):
    forger = Ed25519PrivateKey.generate()
    payload = signing.canonical_payload(replace(c, key_id=KEY_ID))
    forged = signing.b64url_encode(forger.sign(payload))
    assert not _authentic(signing.b64url_encode(payload), forged)

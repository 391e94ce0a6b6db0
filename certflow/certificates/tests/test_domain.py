"""Pure rules: transitions and refusals, the expiry reading, the number format."""

from datetime import date

import pytest

from certflow.certificates import domain
from certflow.certificates.domain import CertificateAction as A
from certflow.certificates.domain import CertificateFacts
from certflow.certificates.domain import CertificateStatus as S
from certflow.core.env import ConfigurationError
from certflow.core.rules import RuleViolation

TODAY = date(2026, 11, 24)
LAPSES_ON = date(2026, 10, 16)


def facts(status=S.VALID, expires_on=date(2029, 3, 2), is_legacy=False):
    return CertificateFacts(status=status, expires_on=expires_on, is_legacy=is_legacy)


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (S.VALID, A.SUSPEND, S.SUSPENDED),
        (S.SUSPENDED, A.RESTORE, S.VALID),
        (S.VALID, A.REVOKE, S.REVOKED),
        (S.SUSPENDED, A.REVOKE, S.REVOKED),
        (S.VALID, A.SUPERSEDE, S.SUPERSEDED),
    ],
)
def test_allowed_transitions_lead_to_their_target(status, action, target):
    assert domain.check_transition(facts(status), action, today=TODAY, reason="原因") == target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.SUSPENDED, A.SUSPEND),
        (S.VALID, A.RESTORE),
        (S.REVOKED, A.RESTORE),
        (S.REVOKED, A.SUSPEND),
        (S.EXPIRED, A.REVOKE),
        (S.LAPSED, A.RESTORE),
        (S.SUPERSEDED, A.SUSPEND),
        (S.SUSPENDED, A.SUPERSEDE),
        (S.REVOKED, A.EXPIRE),
    ],
)
def test_transitions_from_the_wrong_status_are_refused_in_both_languages(status, action):
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(facts(status), action, today=TODAY, reason="原因")
    assert exc.value.code == "wrong_state"
    assert str(S(status).label) in exc.value.zh
    assert status in exc.value.en


@pytest.mark.parametrize("action", [A.SUSPEND, A.REVOKE])
def test_suspension_and_revocation_need_a_reason(action):
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(facts(), action, today=TODAY, reason="   ")
    assert exc.value.code == "reason_required"


def test_restore_needs_no_reason():
    assert domain.check_transition(facts(S.SUSPENDED), A.RESTORE, today=TODAY) == S.VALID


def test_expiry_is_refused_on_the_last_valid_day_and_allowed_the_day_after():
    last = date(2026, 11, 24)
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(facts(expires_on=last), A.EXPIRE, today=last)
    assert exc.value.code == "not_expired_yet"
    assert "2026-11-25" in exc.value.zh
    assert domain.check_transition(facts(expires_on=last), A.EXPIRE, today=date(2026, 11, 25)) == S.EXPIRED
    assert domain.check_transition(facts(S.SUSPENDED, expires_on=last), A.EXPIRE, today=date(2027, 1, 1)) == S.EXPIRED


def test_only_legacy_certificates_lapse_and_only_from_the_lapse_day():
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(facts(), A.LAPSE, today=TODAY, lapses_on=LAPSES_ON)
    assert exc.value.code == "not_legacy"
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(facts(is_legacy=True), A.LAPSE, today=date(2026, 10, 15), lapses_on=LAPSES_ON)
    assert exc.value.code == "transition_open"
    assert domain.check_transition(facts(is_legacy=True), A.LAPSE, today=LAPSES_ON, lapses_on=LAPSES_ON) == S.LAPSED


def test_unknown_action_is_refused():
    with pytest.raises(RuleViolation):
        domain.check_transition(facts(), "delete", today=TODAY)


def test_allowed_actions_follow_the_table():
    assert set(domain.allowed_actions(S.VALID)) == {A.SUSPEND, A.REVOKE, A.EXPIRE, A.LAPSE, A.SUPERSEDE}
    assert set(domain.allowed_actions(S.SUSPENDED)) == {A.RESTORE, A.REVOKE, A.EXPIRE, A.LAPSE}
    assert domain.allowed_actions(S.REVOKED) == []


# --- expiry ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (date(2026, 11, 20), date(2029, 11, 20)),
        (date(2028, 2, 29), date(2031, 2, 28)),  # no 29 February in 2031: the month's last day
        (date(2025, 2, 28), date(2028, 2, 28)),  # 2028 has a 29th, but the corresponding day is the 28th
        (date(2025, 12, 31), date(2028, 12, 31)),
    ],
)
def test_three_years_end_on_the_corresponding_day(issued, expires):
    assert domain.expiry_for(issued, 3) == expires


def test_a_validity_below_one_year_is_refused():
    with pytest.raises(ValueError):
        domain.expiry_for(date(2026, 1, 1), 0)


def test_the_public_sees_expired_from_the_day_after_the_last_valid_day_even_before_the_sweep():
    kwargs = {"expires_on": date(2026, 11, 23), "is_legacy": False, "lapses_on": LAPSES_ON}
    assert domain.effective_status(S.VALID, date(2023, 11, 23), today=date(2026, 11, 23), **kwargs) == (
        S.VALID,
        date(2023, 11, 23),
    )
    assert domain.effective_status(S.SUSPENDED, date(2026, 5, 1), today=TODAY, **kwargs) == (
        S.EXPIRED,
        date(2026, 11, 24),
    )
    assert domain.effective_status(S.REVOKED, date(2026, 5, 1), today=TODAY, **kwargs) == (S.REVOKED, date(2026, 5, 1))


def test_a_legacy_certificate_is_seen_lapsed_from_the_lapse_day():
    kwargs = {"expires_on": date(2027, 4, 7), "is_legacy": True, "lapses_on": LAPSES_ON}
    assert domain.effective_status(S.VALID, date(2024, 4, 8), today=date(2026, 10, 15), **kwargs)[0] == S.VALID
    assert domain.effective_status(S.VALID, date(2024, 4, 8), today=LAPSES_ON, **kwargs) == (S.LAPSED, LAPSES_ON)


def test_a_legacy_certificate_that_expired_before_the_deadline_is_expired_not_lapsed():
    kwargs = {"expires_on": date(2026, 6, 1), "is_legacy": True, "lapses_on": LAPSES_ON}
    assert domain.effective_status(S.VALID, date(2023, 6, 1), today=TODAY, **kwargs) == (S.EXPIRED, date(2026, 6, 2))


# --- number format -----------------------------------------------------------------------------------


def test_the_default_format_gives_numbers_per_year():
    assert domain.format_number("OLS-GZ0056-{year}-{seq:05d}", year=2026, seq=7) == "OLS-GZ0056-2026-00007"
    domain.validate_number_format("OLS-GZ0056-{year}-{seq:05d}")


@pytest.mark.parametrize(
    ("fmt", "words"),
    [
        ("OLS-{seq:05d}", "must contain"),  # without the year, numbers repeat every year
        ("OLS-{year}", "must contain"),
        ("OLS-{year}-{seq}-{enterprise}", "only"),
        ("OLS {year}/{seq}", "letters, digits"),  # a space and a slash do not belong in a URL path
        ("OLS-{year}-{seq:05d", "not a valid format"),
        ("证书-{year}-{seq}", "letters, digits"),
        ("OLS-{year}-{seq:d}{", "not a valid format"),
        ("OLS-{year}-{seq:s}", "cannot be formatted"),
    ],
)
def test_bad_number_formats_stop_start_up_with_a_clear_message(fmt, words):
    with pytest.raises(ConfigurationError) as exc:
        domain.validate_number_format(fmt)
    assert "CERTFLOW_CERTIFICATE_NUMBER_FORMAT" in str(exc.value)
    assert words in str(exc.value)


def test_start_up_refuses_a_bad_number_format_or_rate(settings):
    from django.apps import apps

    config = apps.get_app_config("certificates")
    settings.CERTFLOW_CERTIFICATE_NUMBER_FORMAT = "OLS-{seq}"
    with pytest.raises(ConfigurationError, match="CERTFLOW_CERTIFICATE_NUMBER_FORMAT"):
        config.ready()
    settings.CERTFLOW_CERTIFICATE_NUMBER_FORMAT = "OLS-{year}-{seq:05d}"
    settings.CERTFLOW_VERIFY_PAGE_RATE = "30 per minute"
    with pytest.raises(ConfigurationError, match="CERTFLOW_VERIFY_PAGE_RATE"):
        config.ready()
    settings.CERTFLOW_VERIFY_PAGE_RATE = "30/min"
    config.ready()

import pytest

from certflow.accounts.uscc import USCCError, check_character, is_valid_uscc, normalize_uscc, validate_uscc

# Published codes of real companies, copied from their business licences.
REAL_CODES = ["91440300708461136T", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert validate_uscc(code) == code


def test_input_is_normalised_before_checking():
    assert validate_uscc(" 91440300708461136t ") == "91440300708461136T"
    assert normalize_uscc("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"


def test_a_changed_check_character_is_refused_with_a_clear_message():
    with pytest.raises(USCCError) as err:
        validate_uscc("91440300708461136U")
    assert "校验位" in err.value.zh
    assert "check character" in err.value.en


def test_a_single_changed_digit_is_caught():
    assert not is_valid_uscc("91440300708461137T")


@pytest.mark.parametrize(
    ("code", "zh_fragment"),
    [
        ("9144030070846113", "18位"),
        ("914403007084611366T", "18位"),
        ("91440300708461I36T", "不允许的字符"),
        ("91440300708461O36T", "不允许的字符"),
        ("B1440300708461136T", "登记管理部门"),
        ("9144A300708461136T", "行政区划"),
        ("", "18位"),
    ],
)
def test_malformed_codes_say_what_is_wrong(code, zh_fragment):
    with pytest.raises(USCCError) as err:
        validate_uscc(code)
    assert zh_fragment in err.value.zh
    assert err.value.en


def test_check_character_zero_when_sum_is_a_multiple_of_31():
    # Search a body whose weighted sum is 0 mod 31: the check character must be '0', never index 31.
    body = next(f"9144030000000{n:04d}" for n in range(10000) if check_character(f"9144030000000{n:04d}") == "0")
    assert is_valid_uscc(body + "0")

"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation category (1), administrative
division (6 digits), organisation identity (9), check character (1). The check character
is computed over the first 17 with weights 3^i mod 31 over a 31-character alphabet that
leaves out I, O, S, V and Z.
"""

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100-2015 table 1: the registration authorities.
AUTHORITIES = set("123456789ANY")
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"}


@dataclass(eq=False)
class USCCError(ValueError):
    """Why a code is not a valid USCC, in Chinese and in English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def normalize_uscc(raw: str) -> str:
    """Upper-case, full-width digits and letters made half-width, spaces removed."""
    return "".join((raw or "").upper().translate(_FULLWIDTH).split())


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    """Return the normalised code, or raise USCCError saying what is wrong."""
    code = normalize_uscc(raw)
    if len(code) != 18:
        raise USCCError(
            f"统一社会信用代码应为18位，当前为{len(code)}位",
            f"a unified social credit code has 18 characters; this one has {len(code)}",
        )
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        shown = "、".join(bad)
        raise USCCError(
            f"统一社会信用代码含有不允许的字符：{shown}（不使用 I、O、S、V、Z）",
            f"the code contains characters that are not allowed: {', '.join(bad)} (I, O, S, V, Z are never used)",
        )
    if code[0] not in AUTHORITIES:
        raise USCCError(
            f"第1位登记管理部门代码“{code[0]}”无效",
            f"the first character (registration authority) {code[0]!r} is not a valid authority code",
        )
    if not code[2:8].isdigit():
        raise USCCError(
            "第3至8位应为行政区划代码（6位数字）",
            "characters 3 to 8 must be the 6-digit administrative division code",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            "统一社会信用代码校验位不正确，请核对营业执照上的代码",
            "the check character does not match; please copy the code from the business licence again",
        )
    return code


def is_valid_uscc(raw: str) -> bool:
    try:
        validate_uscc(raw)
    except USCCError:
        return False
    return True

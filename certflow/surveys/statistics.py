"""满意度 (5 认证模式 3; 6 用户满意度调查 2): the result, its verdict, its interval, and how they print.

Pure and exact. The verdict compares integers (satisfied × denominator against numerator × answered),
so no floating-point rounding can turn exactly 80 % into a fail or 79.99… % into a pass. The Wilson
interval is information for the reader about sampling error; it never decides (decisions SS2).

Numbers shown to people are cut, never rounded up (decisions SS3): 79.96 % prints as 79.9 %, so a
failing result can never read "80.0 %" beside "未达标".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from certflow.core.schemes.entities import Survey as SurveyRules

# Below this many respondents a distribution could show what one identifiable customer answered, so the
# enterprise sees none (decisions SS6).
MIN_RESPONDENTS_FOR_DETAIL = 5


class Verdict:
    PASSED = "passed"
    FAILED = "failed"
    NO_RESULT = "no_result"


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval of a proportion (floats: it is information, not a rule)."""

    low: float
    high: float
    confidence: Fraction
    z: Fraction


@dataclass(frozen=True)
class Outcome:
    answered: int
    satisfied: int
    share: Fraction | None
    passed: bool | None  # None: nothing was answered, so there is no result (neither pass nor fail)
    interval: Interval | None
    threshold: Fraction
    inclusive: bool

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return Verdict.NO_RESULT
        return Verdict.PASSED if self.passed else Verdict.FAILED

    @property
    def share_text(self) -> str:
        return percent_text(self.share)

    @property
    def fraction_text(self) -> str:
        return f"{self.satisfied} / {self.answered}" if self.answered else "—"

    @property
    def threshold_text(self) -> str:
        return threshold_text(self.threshold, self.inclusive)

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return "—"
        return f"{percent_text(self.interval.low)} – {percent_text(self.interval.high, up=True)}"


def meets(satisfied: int, answered: int, threshold: Fraction, *, inclusive: bool) -> bool:
    """satisfied / answered against the threshold, in integers only."""
    if answered <= 0:
        raise ValueError("a share needs at least one answered rating")
    left = satisfied * threshold.denominator
    right = threshold.numerator * answered
    return left >= right if inclusive else left > right


def evaluate(answered: int, satisfied: int, rules: SurveyRules) -> Outcome:
    """The satisfaction result as the scheme defines it (`rules` is `scheme.survey`).

    `answered` and `satisfied` count ratings pooled over respondents and dimensions (the scheme's
    `result` block); nothing answered gives no result, which the closing step must not treat as a fail.
    """
    if answered < 0 or not 0 <= satisfied <= max(answered, 0):
        raise ValueError(f"satisfied ({satisfied}) must be between 0 and answered ({answered})")
    threshold = rules.threshold
    if answered == 0:
        return Outcome(0, 0, None, None, None, threshold.value, threshold.inclusive)
    share = Fraction(satisfied, answered)
    passed = meets(satisfied, answered, threshold.value, inclusive=threshold.inclusive)
    # The scheme's own rule must agree: two ways to the same answer, checked on every call.
    assert passed == rules.passes(share)
    sample = rules.sample_size
    interval = wilson(satisfied, answered, sample.z, confidence=sample.confidence)
    return Outcome(answered, satisfied, share, passed, interval, threshold.value, threshold.inclusive)


def wilson(successes: int, trials: int, z: Fraction, *, confidence: Fraction = Fraction(95, 100)) -> Interval:
    """Wilson score interval (Wilson 1927; Newcombe 1998, method 3), no continuity correction.

    Everything but the square root is computed in fractions; it stays inside [0, 1] even at 0 % and
    100 %, where the textbook normal interval collapses to a point.
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("need 0 ≤ successes ≤ trials and trials > 0")
    n = Fraction(trials)
    p = Fraction(successes, trials)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    spread = float(z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, float(centre) - spread)
    high = 1.0 if successes == trials else min(1.0, float(centre) + spread)
    return Interval(low, high, confidence, z)


def ratio(part: int, whole: int) -> Fraction | None:
    """part / whole, or None when there is nothing to divide by (e.g. nobody invited yet)."""
    return Fraction(part, whole) if whole else None


def response_rate(respondents: int, invited: int) -> Fraction | None:
    """Completed answers ÷ customers invited (the drawn sample)."""
    return ratio(respondents, invited)


def target_reached(respondents: int, sample_size: int | None) -> Fraction | None:
    """Completed answers ÷ the sample size the scheme asked for (may exceed 1 with a reserve list)."""
    return ratio(respondents, sample_size or 0)


def _cut(value: Fraction, places: int, *, up: bool) -> Fraction:
    scale = 10**places
    scaled = value * 100 * scale
    whole = math.ceil(scaled) if up else math.floor(scaled)
    return Fraction(whole, scale)


def percent_text(value: Fraction | float | None, *, places: int = 1, up: bool = False) -> str:
    """ "79.9 %" for 0.7996: cut towards zero (or away, `up=True`, for an interval's upper end), never
    rounded, so the printed number is on the same side of the threshold as the exact value."""
    if value is None:
        return "—"
    exact = Fraction(value)
    cut = _cut(exact, places, up=up)
    return f"{float(cut):.{places}f} %"


def threshold_text(value: Fraction, inclusive: bool) -> str:
    """ "≥ 80 %（含 80 %）" for the scheme's threshold; a threshold that is no whole percent prints exactly."""
    hundred = value * 100
    number = f"{hundred.numerator} %" if hundred.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return f"≥ {number}" if inclusive else f"> {number}"

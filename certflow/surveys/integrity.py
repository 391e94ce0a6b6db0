"""Patterns in a survey's answers that a CB reviewer should look at before trusting the result.

Each check is one grouped query. A flag is a reason to look, not a finding: nothing here changes the
result or removes an answer (decisions SS5). Only CB staff see flags; the enterprise never does,
so it cannot learn which answers looked odd, nor whose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Subquery, Sum, Value, When, Window
from django.db.models.functions import Lag

from certflow.core.schemes.entities import Scheme
from certflow.surveys.domain import Channel
from certflow.surveys.models import Rating, Response, Survey

# Thresholds (decisions SS5). A shared address is common (an office or a mobile carrier's NAT), so a
# handful from one address is normal; five or more questionnaires from one address is worth a look.
SAME_ADDRESS_MIN = 5
# Identical answer vectors: happy customers often all answer 5, so a vector is flagged only when it is
# both frequent and a large part of all answers.
IDENTICAL_MIN = 10
IDENTICAL_MIN_SHARE = (1, 3)
# A burst: BURST_COUNT questionnaires submitted within BURST_WINDOW.
BURST_COUNT = 10
BURST_WINDOW = timedelta(minutes=10)
# A phone call-back with five ratings, an overall rating and a comment takes minutes; one person
# recording answers less than FAST_CALL_GAP apart, FAST_CALL_MIN times or more, is implausible.
FAST_CALL_GAP = timedelta(minutes=2)
FAST_CALL_MIN = 3


@dataclass(frozen=True)
class Flag:
    code: str
    zh: str
    en: str
    count: int
    detail: tuple[str, ...] = ()


def _questionnaires(survey: Survey):
    return Response.objects.filter(survey=survey, channel=Channel.QUESTIONNAIRE)


def same_address(survey: Survey) -> Flag | None:
    rows = list(
        _questionnaires(survey)
        .filter(client_address__isnull=False)
        .values("client_address")
        .annotate(n=Count("id"))
        .filter(n__gte=SAME_ADDRESS_MIN)
        .order_by("-n", "client_address")
    )
    if not rows:
        return None
    total = sum(row["n"] for row in rows)
    return Flag(
        "same_address",
        f"{len(rows)} 个网络地址各提交了 {SAME_ADDRESS_MIN} 份或更多问卷（共 {total} 份）",
        f"{len(rows)} address(es) submitted {SAME_ADDRESS_MIN} or more questionnaires each ({total} in all)",
        total,
        tuple(f"{row['client_address']}: {row['n']}" for row in rows[:10]),
    )


def _signature(codes: tuple[str, ...], base: int) -> Subquery:
    """Each response's ratings as one number, a digit per dimension in base `base` (0 = skipped): one
    correlated subquery on the (response, dimension) index instead of one per dimension."""
    weight = Case(
        *[When(dimension=code, then=Value(base**i)) for i, code in enumerate(codes)],
        default=Value(0),
        output_field=BigIntegerField(),
    )
    per_response = (
        Rating.objects.filter(response=OuterRef("pk"))
        .values("response")
        .annotate(signature=Sum(F("value") * weight))
        .values("signature")[:1]
    )
    return Subquery(per_response, output_field=BigIntegerField())


def _digits(signature: int | None, count: int, base: int) -> list[str]:
    value = signature or 0
    shown = []
    for _i in range(count):
        value, digit = divmod(value, base)
        shown.append(str(digit) if digit else "—")
    return shown


def identical_answers(survey: Survey, scheme: Scheme) -> Flag | None:
    """Responses with the same rating on every dimension (a skipped one included) and the same overall."""
    codes = scheme.survey.dimension_codes
    base = scheme.survey.scale_max + 1
    responses = Response.objects.filter(survey=survey)
    total = responses.count()
    numerator, denominator = IDENTICAL_MIN_SHARE
    rows = list(
        responses.annotate(signature=_signature(codes, base))
        .values("signature", "overall")
        .annotate(n=Count("id"))
        .filter(n__gte=IDENTICAL_MIN)
        .order_by("-n")
    )
    rows = [row for row in rows if row["n"] * denominator >= numerator * total]
    if not rows:
        return None

    def pattern(row) -> str:
        overall = "—" if row["overall"] is None else str(row["overall"])
        return " ".join(_digits(row["signature"], len(codes), base)) + f" / {overall}"

    top = rows[0]
    return Flag(
        "identical_answers",
        f"{top['n']} 份答卷（占 {top['n'] * 100 // total}%）各维度评分与总体评价完全相同：{pattern(top)}",
        f"{top['n']} responses ({top['n'] * 100 // total}%) have identical ratings on every dimension: {pattern(top)}",
        top["n"],
        tuple(f"{pattern(row)}: {row['n']}" for row in rows),
    )


def _gap_rows(queryset, *, partition, lag: int):
    """Rows with the time of the `lag`-th earlier submission in the same partition beside them."""
    return queryset.annotate(
        earlier=Window(Lag("submitted_at", offset=lag), partition_by=partition, order_by=[F("submitted_at"), F("id")])
    )


def burst(survey: Survey) -> Flag | None:
    # The (BURST_COUNT - 1)-th earlier questionnaire less than BURST_WINDOW before this one: BURST_COUNT
    # questionnaires inside one window. Filtering on a window needs Django ≥ 4.2 (runs as a subquery).
    rows = _gap_rows(_questionnaires(survey), partition=[F("survey_id")], lag=BURST_COUNT - 1).filter(
        earlier__isnull=False, submitted_at__lt=F("earlier") + BURST_WINDOW
    )
    count = rows.count()
    if not count:
        return None
    minutes = int(BURST_WINDOW.total_seconds() // 60)
    return Flag(
        "burst",
        f"有 {count} 份问卷提交时，之前 {minutes} 分钟内已有 {BURST_COUNT - 1} 份或更多问卷提交",
        f"{count} questionnaires arrived with {BURST_COUNT - 1} or more others in the {minutes} minutes before",
        count,
    )


def fast_callbacks(survey: Survey) -> Flag | None:
    phone = Response.objects.filter(survey=survey, channel=Channel.PHONE_CALLBACK, recorded_by__isnull=False)
    fast = _gap_rows(phone, partition=[F("recorded_by_id")], lag=1).filter(
        earlier__isnull=False, submitted_at__lt=F("earlier") + FAST_CALL_GAP
    )
    rows = list(
        Response.objects.filter(pk__in=fast.values("pk"))
        .values("recorded_by__email")
        .annotate(n=Count("id"))
        .filter(n__gte=FAST_CALL_MIN)
        .order_by("-n")
    )
    if not rows:
        return None
    total = sum(row["n"] for row in rows)
    seconds = int(FAST_CALL_GAP.total_seconds())
    return Flag(
        "fast_callbacks",
        f"{len(rows)} 名回访人员有 {total} 次回访与其上一次回访的录入间隔不足 {seconds} 秒",
        f"{len(rows)} caller(s) recorded {total} call-backs less than {seconds} s after their previous one",
        total,
        tuple(f"{row['recorded_by__email']}: {row['n']}" for row in rows),
    )


def survey_flags(survey: Survey, scheme: Scheme) -> list[Flag]:
    found = [same_address(survey), identical_answers(survey, scheme), burst(survey), fast_callbacks(survey)]
    return [flag for flag in found if flag is not None]

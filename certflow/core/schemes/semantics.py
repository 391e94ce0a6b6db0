"""What a well-shaped scheme must also mean: unique ids, known references, sums, order, sources.

Each check declares the top-level sections it reads and runs only when those passed the shape
check, so it may index freely; problems from every runnable check are collected together.
"""

from collections.abc import Callable, Iterable
from datetime import date
from fractions import Fraction

from certflow.core.schemes.errors import Problem, dotted


def _frac(value: dict) -> Fraction:
    return Fraction(value["numerator"], value["denominator"])


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _unique(entries: list[dict], key: str, path: tuple) -> Iterable[Problem]:
    first: dict = {}
    for i, entry in enumerate(entries):
        value = entry[key]
        if value in first:
            where = dotted((*path, first[value]))
            yield Problem(
                ((*path, i, key)),
                f"重复的 {key}「{value}」（首次见于 {where}）",
                f"duplicate {key} {value!r} (first at {where})",
            )
        else:
            first[value] = i


def check_scheme_dates(data: dict) -> Iterable[Problem]:
    scheme = data["scheme"]
    if _day(scheme["effective"]) < _day(scheme["published"]):
        yield Problem(
            ("scheme", "effective"), "实施日期早于发布日期", "the effective date is before the publication date"
        )


def check_requirement_ids(data: dict) -> Iterable[Problem]:
    yield from _unique(data["clauses"], "number", ("clauses",))
    clause_numbers = [clause["number"] for clause in data["clauses"]]
    items = data["requirements"]
    yield from _unique(items, "id", ("requirements",))
    for i, item in enumerate(items):
        if item["id"].rsplit("-", 1)[0] != item["clause"]:
            yield Problem(
                ("requirements", i, "id"),
                f"编号「{item['id']}」与条款「{item['clause']}」不符",
                f"id {item['id']!r} does not belong to clause {item['clause']!r}",
            )
        if item["clause"] not in clause_numbers:
            yield Problem(
                ("requirements", i, "clause"),
                f"条款「{item['clause']}」未在 clauses 中列出",
                f"clause {item['clause']!r} is not listed under clauses",
            )
    used = {item["clause"] for item in items}
    for i, number in enumerate(clause_numbers):
        if number not in used:
            yield Problem(
                ("clauses", i), f"条款「{number}」下没有要求项", f"clause {number!r} has no requirement items"
            )


def check_requirement_stages(data: dict) -> Iterable[Problem]:
    yield from _unique(data["stages"], "code", ("stages",))
    defined = {stage["code"] for stage in data["stages"]}
    for i, item in enumerate(data["requirements"]):
        for j, stage in enumerate(item["stages"]):
            if stage not in defined:
                yield Problem(
                    ("requirements", i, "stages", j),
                    f"阶段「{stage}」未在 stages 中定义",
                    f"stage {stage!r} is not defined under stages",
                )
        if len(set(item["stages"])) != len(item["stages"]):
            yield Problem(("requirements", i, "stages"), "阶段重复", "a stage is listed twice")


CODE_LISTS = (
    ("scope", "activities"),
    ("scope", "categories"),
    ("scope", "service_stages"),
    ("materials", "items"),
    ("nonconformity_grades",),
    ("survey", "methods"),
    ("survey", "dimensions"),
    ("transition", "applies_to"),
    ("grading", "grades"),
)


def _unique_codes(path: tuple) -> Callable[[dict], Iterable[Problem]]:
    def check(data: dict) -> Iterable[Problem]:
        entries = data
        for part in path:
            entries = entries[part]
        yield from _unique(entries, "code", path)

    return check


def check_survey(data: dict) -> Iterable[Problem]:
    survey = data["survey"]
    scale = survey["scale"]
    low, high = scale["min"], scale["max"]
    if low >= high:
        yield Problem(("survey", "scale", "max"), "量表上限必须大于下限", "must be greater than survey.scale.min")
    values = sorted(label["value"] for label in scale["labels"])
    if values != list(range(low, high + 1)):
        yield Problem(
            ("survey", "scale", "labels"),
            f"须为 {low}–{high} 每个分值各给一个标签",
            f"must label every value from {low} to {high} exactly once",
        )
    if not low < survey["result"]["satisfied_min_rating"] <= high:
        yield Problem(
            ("survey", "result", "satisfied_min_rating"),
            f"必须在 {low + 1}–{high} 之间",
            f"must be between {low + 1} and {high}",
        )
    yield from _share(("survey", "pass_threshold"), _frac(survey["pass_threshold"]), closed=True)
    sample = survey["sample_size"]
    for key in ("confidence", "margin_of_error", "proportion"):
        yield from _share(("survey", "sample_size", key), _frac(sample[key]), closed=False)
    if _frac(sample["z"]) <= 0:
        yield Problem(("survey", "sample_size", "z"), "必须大于 0", "must be greater than 0")
    if sample["floor"] > sample["ceiling"]:
        yield Problem(
            ("survey", "sample_size", "floor"), "下限不能大于上限", "must not exceed survey.sample_size.ceiling"
        )


def _share(where: tuple, value: Fraction, *, closed: bool) -> Iterable[Problem]:
    if closed and not 0 <= value <= 1:
        yield Problem(where, "必须是 0 到 1 之间的分数（含端点）", "must be a fraction between 0 and 1 inclusive")
    elif not closed and not 0 < value < 1:
        yield Problem(where, "必须是严格介于 0 与 1 之间的分数", "must be a fraction strictly between 0 and 1")


def check_deadlines(data: dict) -> Iterable[Problem]:
    for name, deadline in data["deadlines"].items():
        units = [unit for unit in ("working_days", "calendar_days", "months", "years") if unit in deadline]
        if len(units) != 1:
            yield Problem(
                ("deadlines", name),
                "须且只能给出一个期限单位：working_days、calendar_days、months 或 years",
                "must give exactly one of working_days, calendar_days, months, years",
            )


def check_surveillance(data: dict) -> Iterable[Problem]:
    if data["surveillance"]["window_months_before_anniversary"] >= 12:
        yield Problem(
            ("surveillance", "window_months_before_anniversary"), "必须少于 12 个月", "must be less than 12 months"
        )


def check_transition(data: dict) -> Iterable[Problem]:
    transition = data["transition"]
    if _day(transition["deadline"]) < _day(transition["application_cutoff"]):
        yield Problem(
            ("transition", "deadline"),
            "不能早于 application_cutoff",
            "must not be before transition.application_cutoff",
        )
    if _day(transition["application_cutoff"]) < _day(data["scheme"]["effective"]):
        yield Problem(
            ("transition", "application_cutoff"), "不能早于规范实施日期", "must not be before scheme.effective"
        )


def check_grading(data: dict) -> Iterable[Problem]:
    grading = data["grading"]
    top = grading["max_score"]
    previous = None
    for i, grade in enumerate(grading["grades"]):
        where = ("grading", "grades", i, "min_score")
        score = grade["min_score"]
        if not 0 < score <= top:
            yield Problem(where, f"必须在 1–{top} 之间", f"must be between 1 and {top}")
        if previous is not None and score <= previous:
            yield Problem(
                where, f"等级分数线须严格递增（前一级为 {previous}）", f"must be above the previous grade's {previous}"
            )
        previous = score
    factors = {name: _frac(value) for name, value in grading["finding_factors"].items()}
    if factors["conforming"] != 1:
        yield Problem(("grading", "finding_factors", "conforming"), "必须为 1（满分）", "must be 1 (full weight)")
    if not 0 <= factors["major"] <= factors["minor"] <= factors["conforming"]:
        yield Problem(
            ("grading", "finding_factors"),
            "须满足 0 ≤ major ≤ minor ≤ conforming",
            "must satisfy 0 ≤ major ≤ minor ≤ conforming",
        )
    weights = grading["weights"]
    ids = [item["id"] for item in data["requirements"]]
    for item_id in ids:
        if item_id not in weights:
            yield Problem(("grading", "weights", item_id), "缺少该要求项的权重", "no weight for this requirement item")
    for item_id in weights:
        if item_id not in ids:
            yield Problem(("grading", "weights", item_id), "没有这个要求项", "no such requirement item")
    total = sum(weights.values())
    if total != top:
        yield Problem(
            ("grading", "weights"),
            f"权重之和为 {total}，须恰好为 {top}",
            f"weights sum to {total}, must be exactly {top}",
        )


def check_committee(data: dict) -> Iterable[Problem]:
    yield from _share(("committee", "approval"), _frac(data["committee"]["approval"]), closed=True)


Reads = tuple[tuple[str, ...], ...]

# Each check with the paths it reads ("*" = every list entry). A check runs only when no shape
# problem lies on or above or below those paths, so one bad entry does not hide other problems.
CHECKS: tuple[tuple[Reads, Callable[[dict], Iterable[Problem]]], ...] = (
    ((("scheme", "published"), ("scheme", "effective")), check_scheme_dates),
    ((("requirements", "*", "id"), ("requirements", "*", "clause"), ("clauses", "*", "number")), check_requirement_ids),
    ((("stages", "*", "code"), ("requirements", "*", "stages")), check_requirement_stages),
    *((((*path, "*", "code"),), _unique_codes(path)) for path in CODE_LISTS),
    ((("survey",),), check_survey),
    ((("deadlines",),), check_deadlines),
    ((("surveillance", "window_months_before_anniversary"),), check_surveillance),
    (
        (("transition", "application_cutoff"), ("transition", "deadline"), ("scheme", "effective")),
        check_transition,
    ),
    ((("grading",), ("requirements", "*", "id")), check_grading),
    ((("committee", "approval"),), check_committee),
)


def semantic_problems(data: dict, shape_problems: Iterable[Problem]) -> list[Problem]:
    broken = [p.path for p in shape_problems]
    problems = list(unsourced_numbers(data))
    for reads, check in CHECKS:
        if not any(_overlaps(path, read) for path in broken for read in reads):
            problems.extend(check(data))
    return problems


def _overlaps(path: tuple, read: tuple) -> bool:
    """True when one is a prefix of the other, "*" matching any list index."""
    return all(want == "*" or got == want for got, want in zip(path, read, strict=False))


def unsourced_numbers(value, path: tuple = (), sourced: bool = False) -> Iterable[Problem]:
    """Every number, date and fraction needs a `source:` on its own mapping or an enclosing one."""
    if isinstance(value, dict):
        # The document root is not a source for everything under it; a section must say its own.
        here = sourced or (bool(path) and bool(value.get("source")))
        if {"numerator", "denominator"} <= value.keys():
            if not here:
                yield _unsourced(path)
            return
        for key, child in value.items():
            yield from unsourced_numbers(child, (*path, key), here)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from unsourced_numbers(child, (*path, i), sourced)
    elif isinstance(value, int | date) and not isinstance(value, bool) and not sourced:
        yield _unsourced(path)


def _unsourced(path: tuple) -> Problem:
    return Problem(
        tuple(path),
        "数值缺少出处：请在此处或上级映射中写明 source（条款、所依惯例或 default — …）",
        "number without a source: add `source:` here or on an enclosing mapping "
        "(a clause, a practice, or `default — …`)",
    )

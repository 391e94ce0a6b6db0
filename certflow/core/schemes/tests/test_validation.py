"""Each kind of broken file names where it is broken, in Chinese and English, and nothing loads."""

import pytest

from certflow.core.schemes.errors import SchemeError
from certflow.core.schemes.loader import load_scheme, load_scheme_text, scheme_from_content, validate_file
from certflow.core.schemes.tests.conftest import SHIPPED


def problems_of(text: str):
    with pytest.raises(SchemeError) as caught:
        load_scheme_text(text, origin="broken.yaml")
    return caught.value.problems


def only(text: str):
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_shipped_file_is_clean():
    assert validate_file(SHIPPED) == []


def test_yaml_syntax_error_names_line_and_column(shipped_text):
    lines = shipped_text.splitlines(keepends=True)
    line_no = next(i for i, line in enumerate(lines, 1) if line.startswith("  code: CTS OLS/GZ-0056-2025"))
    lines[line_no - 1] = "  code: CTS: OLS/GZ-0056-2025\n"
    problem = only("".join(lines))
    assert (problem.line, problem.column) == (line_no, 12)
    assert "YAML 语法错误" in problem.zh and "YAML syntax error" in problem.en
    assert f"line {line_no}" in str(problem)


def test_missing_key(variant):
    problem = only(variant("  pass_threshold:\n    numerator: 80\n", "  pass_threshold:\n"))
    assert problem.location == "survey.pass_threshold.numerator"
    assert (problem.zh, problem.en) == ("缺少必填项", "is required")
    assert problem.line is not None


def test_missing_section(variant, shipped_text):
    start = shipped_text.index("\ncommittee:")
    problem = only(shipped_text[:start] + "\n")
    assert problem.location == "committee" and problem.en == "is required"


def test_not_a_positive_integer(variant):
    problem = only(variant("    working_days: 5\n", "    working_days: -5\n"))
    assert str(problem).startswith("broken.yaml: deadlines.acceptance.working_days (line ")
    assert "必须为正整数" in str(problem) and "must be a positive integer" in str(problem)


def test_duplicate_requirement_id(variant):
    problems = problems_of(variant("  - id: 4.1-2\n", "  - id: 4.1-1\n"))
    duplicate = next(p for p in problems if p.location == "requirements[1].id")
    assert "4.1-1" in duplicate.en and "duplicate" in duplicate.en and "重复" in duplicate.zh


def test_weights_not_100(variant):
    problem = only(variant("    4.1-1: 3\n", "    4.1-1: 2\n"))
    assert problem.location == "grading.weights"
    assert problem.en == "weights sum to 99, must be exactly 100"
    assert "权重之和为 99" in problem.zh


def test_weight_for_an_unknown_item(variant):
    problems = problems_of(variant("    4.9-4: 3\n", "    4.9-5: 3\n"))
    assert {p.location for p in problems} == {"grading.weights.4.9-4", "grading.weights.4.9-5"}


def test_unknown_stage(variant):
    problem = only(variant("    stages: [document_review, onsite_audit]\n", "    stages: [document_review, desk]\n"))
    assert problem.location == "requirements[0].stages[1]"
    assert "document_review, onsite_audit, surveillance" in problem.en


def test_grades_must_ascend(variant):
    problem = only(variant("min_score: 90", "min_score: 80"))
    assert problem.location == "grading.grades[2].min_score"
    assert "previous" in problem.en and "递增" in problem.zh


def test_grade_above_the_maximum_score(variant):
    problem = only(variant("min_score: 95", "min_score: 105"))
    assert problem.location == "grading.grades[3].min_score"


@pytest.mark.parametrize(
    ("numerator", "denominator", "location", "message"),
    [
        (80, 0, "survey.pass_threshold.denominator", "must be a positive integer"),
        (180, 100, "survey.pass_threshold", "must be a fraction between 0 and 1 inclusive"),
        ("0.8", 1, "survey.pass_threshold.numerator", "must be a non-negative integer"),
    ],
)
def test_bad_threshold(variant, numerator, denominator, location, message):
    problem = only(
        variant(
            "    numerator: 80\n    denominator: 100\n", f"    numerator: {numerator}\n    denominator: {denominator}\n"
        )
    )
    assert (problem.location, problem.en) == (location, message)


def test_float_numbers_are_refused(variant):
    problem = only(variant("    working_days: 5\n", "    working_days: 5.0\n"))
    assert problem.location == "deadlines.acceptance.working_days"


def test_unquoted_clause_number(variant):
    problem = only(variant('    clause: "4.2"\n', "    clause: 4.2\n"))
    assert problem.location == "requirements[3].clause" and "quoted" in problem.en


def test_duplicate_yaml_key(variant):
    problems = problems_of(variant("  audit_notice:\n", "  acceptance:\n"))
    duplicate = next(p for p in problems if "duplicate key" in p.en)
    assert duplicate.location == "deadlines.acceptance" and duplicate.line is not None


def test_misspelt_key(variant):
    problems = problems_of(variant("  audit_notice:\n", "  audit_notise:\n"))
    assert {p.location for p in problems} == {"deadlines.audit_notice", "deadlines.audit_notise"}


def test_number_without_a_source(variant):
    text = variant("  per_validity_year: 1\n", "  per_validity_year: 1\n", 1)
    text = text.replace("  source: >-\n    5 认证模式 4；6 持续监督 1", "  origin: >-\n    5 认证模式 4；6 持续监督 1")
    problems = problems_of(text)
    unsourced = {p.location for p in problems if "without a source" in p.en}
    assert "surveillance.per_validity_year" in unsourced


def test_deadline_needs_exactly_one_unit(variant):
    problem = only(variant("    working_days: 5\n", "    working_days: 5\n    calendar_days: 7\n"))
    assert problem.location == "deadlines.acceptance" and "exactly one" in problem.en


def test_every_problem_is_reported_not_just_the_first(variant, shipped_text):
    text = shipped_text
    for old, new in [
        ("    working_days: 5\n", "    working_days: 0\n"),
        ("  - id: 4.1-2\n", "  - id: 4.1-1\n"),
        ("min_score: 90", "min_score: 80"),
        ("    stages: [document_review, onsite_audit]\n", "    stages: [desk]\n"),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    locations = {p.location for p in problems_of(text)}
    assert {
        "deadlines.acceptance.working_days",
        "requirements[1].id",
        "grading.grades[2].min_score",
        "requirements[0].stages[0]",
    } <= locations


def test_problems_are_in_file_order(variant):
    problems = problems_of(
        variant("min_score: 90", "min_score: 80").replace("    working_days: 5\n", "    working_days: 0\n")
    )
    lines = [p.line for p in problems]
    assert lines == sorted(lines)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- list\n", "just text\n"])
def test_empty_or_wrong_document(text):
    assert problems_of(text)


def test_not_utf8():
    problems = problems_of("code: 规范".encode("gb18030"))
    assert "UTF-8" in problems[0].en


def test_the_error_message_lists_every_problem(variant):
    with pytest.raises(SchemeError) as caught:
        load_scheme_text(variant("    4.1-1: 3\n", "    4.1-1: 2\n"), origin="x.yaml")
    message = str(caught.value)
    assert message.startswith("x.yaml: 规范文件有 1 处错误 / the scheme has 1 problem(s)")
    assert "grading.weights" in message


def test_missing_file(tmp_path):
    with pytest.raises(SchemeError) as caught:
        load_scheme(tmp_path / "absent.yaml")
    assert "cannot read" in caught.value.problems[0].en


def test_stored_content_rebuilds_the_same_scheme():
    scheme = load_scheme(SHIPPED)
    again = scheme_from_content(scheme.content, sha256=scheme.sha256, origin="database")
    assert again.requirements == scheme.requirements and again.transition == scheme.transition
    assert again.content_json == scheme.content_json

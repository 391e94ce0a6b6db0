"""Which scheme `get_scheme` returns, and the system check over the shipped folder."""

from datetime import date

import pytest
from django.core import checks

from certflow.core.schemes.checks import check_shipped_schemes
from certflow.core.schemes.errors import SchemeError, SchemeNotFound
from certflow.core.schemes.registry import all_schemes, get_scheme


def revision(text: str, version: str, effective: str) -> str:
    return text.replace("  version: A/0\n", f"  version: {version}\n").replace(
        "  effective: 2025-07-15\n", f"  effective: {effective}\n"
    )


def test_default_scheme_from_the_shipped_folder():
    scheme = get_scheme()
    assert scheme.label == "CTS OLS/GZ-0056-2025 A/0"
    assert get_scheme("CTS OLS/GZ-0056-2025", "A/0") is scheme  # cached per process


def test_unknown_code_or_version():
    with pytest.raises(SchemeNotFound, match="no scheme"):
        get_scheme("CTS OLS/GZ-9999-2025")
    with pytest.raises(SchemeNotFound, match="known: A/0"):
        get_scheme(version="Z/9")


def test_current_version_is_the_newest_in_force(scheme_dir, shipped_text):
    (scheme_dir / "a0.yaml").write_text(shipped_text, encoding="utf-8")
    (scheme_dir / "b0.yaml").write_text(revision(shipped_text, "B/0", "2025-09-01"), encoding="utf-8")
    assert get_scheme(on=date(2025, 8, 31)).version == "A/0"
    assert get_scheme(on=date(2025, 9, 1)).version == "B/0"
    assert get_scheme().version == "B/0"
    assert get_scheme(version="A/0").version == "A/0"
    with pytest.raises(SchemeNotFound, match="in force"):
        get_scheme(on=date(2025, 7, 14))
    assert [s.version for s in all_schemes()] == ["A/0", "B/0"]


def test_a_broken_file_stops_the_registry(scheme_dir, shipped_text):
    (scheme_dir / "a0.yaml").write_text(shipped_text, encoding="utf-8")
    (scheme_dir / "b0.yaml").write_text(
        revision(shipped_text, "B/0", "2025-09-01").replace("    4.1-1: 3\n", "    4.1-1: 9\n"), encoding="utf-8"
    )
    with pytest.raises(SchemeError) as caught:
        get_scheme()
    assert [p.location for p in caught.value.problems] == ["grading.weights"]
    assert caught.value.problems[0].origin.endswith("b0.yaml")


def test_two_files_for_one_version(scheme_dir, shipped_text):
    (scheme_dir / "one.yaml").write_text(shipped_text, encoding="utf-8")
    (scheme_dir / "two.yaml").write_text(shipped_text + "\n# a copy\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="one file per version"):
        all_schemes()


def test_system_check_passes_on_the_shipped_files():
    assert check_shipped_schemes() == []


def test_system_check_reports_every_problem(scheme_dir, shipped_text):
    broken = shipped_text.replace("min_score: 90", "min_score: 80").replace(
        "    working_days: 5\n", "    working_days: 0\n"
    )
    (scheme_dir / "bad.yaml").write_text(broken, encoding="utf-8")
    errors = check_shipped_schemes()
    assert {e.id for e in errors} == {"schemes.E001"} and all(isinstance(e, checks.Error) for e in errors)
    text = "\n".join(e.msg for e in errors)
    assert "grading.grades[2].min_score" in text and "deadlines.acceptance.working_days" in text


def test_system_check_without_files(scheme_dir):
    assert [e.id for e in check_shipped_schemes()] == ["schemes.E002"]


def test_system_check_without_the_default_scheme(scheme_dir, shipped_text, settings):
    (scheme_dir / "a0.yaml").write_text(shipped_text, encoding="utf-8")
    settings.CERTFLOW = {**settings.CERTFLOW, "DEFAULT_SCHEME": "CTS OLS/GZ-0001-2020"}
    assert [e.id for e in check_shipped_schemes()] == ["schemes.E003"]


def test_the_check_is_registered():
    assert check_shipped_schemes in checks.registry.registry.get_checks()

from pathlib import Path

import pytest

import certflow

SHIPPED = Path(certflow.__file__).parent / "schemes" / "CTS-OLS-GZ-0056-2025_A0.yaml"


@pytest.fixture
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture
def variant(shipped_text):
    """The shipped file with one exact piece of text replaced (asserting the piece is there)."""

    def make(old: str, new: str, count: int = 1) -> str:
        assert old in shipped_text, f"test fixture out of date: {old!r} not in the shipped file"
        return shipped_text.replace(old, new, count)

    return make


@pytest.fixture
def scheme_dir(tmp_path, settings):
    """An empty SCHEME_DIRS folder the registry reads instead of the shipped one."""
    folder = tmp_path / "schemes"
    folder.mkdir()
    settings.CERTFLOW = {**settings.CERTFLOW, "SCHEME_DIRS": [folder]}
    return folder

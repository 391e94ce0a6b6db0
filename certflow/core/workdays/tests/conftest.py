import pytest

from certflow.core.workdays.selectors import clear_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # A test's rolled-back rows must not survive in the process-wide calendar cache.
    clear_calendar_cache()
    yield
    clear_calendar_cache()

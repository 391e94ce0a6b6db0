"""Date inputs carry ISO dates: <input type="date"> drops any other spelling and shows an empty field."""

from datetime import timedelta

from django.utils import timezone, translation

from certflow.surveys.forms import OpenForm


def test_the_suggested_closing_day_reaches_the_date_picker_in_chinese_and_english():
    suggested = timezone.localdate() + timedelta(days=21)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = str(OpenForm()["closes_on"])
        assert 'type="date"' in html
        assert f'value="{suggested.isoformat()}"' in html, (language, html)

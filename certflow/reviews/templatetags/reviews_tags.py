"""Template helpers of the review pages."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local(text) -> str:
    """A scheme `Text` (zh/en pair) in the reader's language."""
    if text is None:
        return ""
    return text.en if (get_language() or "zh").startswith("en") else text.zh


@register.filter
def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"

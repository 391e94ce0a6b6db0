"""Small helpers the review pages share."""

from django.utils import timezone
from django.utils.translation import get_language

from certflow.core.rules import RuleViolation


def message_of(exc: RuleViolation) -> str:
    """A domain refusal in the reader's language."""
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def today():
    # Deadlines are Beijing-time matters, whatever the server's clock says.
    return timezone.localdate(timezone=timezone.get_default_timezone())

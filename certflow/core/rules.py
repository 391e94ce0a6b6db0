"""The one exception every domain rule raises when it refuses a step."""

from dataclasses import dataclass


# Not frozen: Python sets __traceback__ on exceptions as they propagate (contextlib's generator-based
# context managers do it explicitly), which a frozen dataclass refuses. eq=False keeps the identity hash
# that traceback printing relies on.
@dataclass(eq=False)
class RuleViolation(Exception):
    """A refused step, with the reason a user can act on, in Chinese and English."""

    zh: str
    en: str
    code: str = "rule"

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict:
        return {"detail": str(self), "zh": self.zh, "en": self.en, "code": self.code}

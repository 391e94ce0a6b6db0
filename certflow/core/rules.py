"""The one exception every domain rule raises when it refuses a step."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleViolation(Exception):
    """A refused step, with the reason a user can act on, in Chinese and English."""

    zh: str
    en: str
    code: str = "rule"

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict:
        return {"detail": str(self), "zh": self.zh, "en": self.en, "code": self.code}

"""What goes wrong with a scheme file, said in Chinese and English, with where it went wrong."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scheme, at `path` (keys and list indexes) in the document."""

    path: tuple
    zh: str
    en: str
    line: int | None = None
    column: int | None = None
    origin: str = ""

    @property
    def location(self) -> str:
        """Dotted, e.g. `deadlines.acceptance.working_days` or `requirements[3].stages[0]`."""
        return dotted(self.path)

    def where(self) -> str:
        at = f"line {self.line}" + (f", column {self.column}" if self.column is not None else "") if self.line else ""
        place = self.location or at or "(document)"
        if self.location and at:
            place += f" ({at})"
        return f"{self.origin}: {place}" if self.origin else place

    def __str__(self) -> str:
        return f"{self.where()}: {self.zh} / {self.en}"


class SchemeError(Exception):
    """A scheme that must not be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem], origin: str = ""):
        self.problems = tuple(problems)
        self.origin = origin
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"规范文件有 {len(self.problems)} 处错误 / the scheme has {len(self.problems)} problem(s)"
        if self.origin:
            head = f"{self.origin}: {head}"
        return "\n".join([head, *(f"  - {problem}" for problem in self.problems)])


class SchemeNotFound(LookupError):
    """No shipped scheme matches the code/version asked for."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def dotted(path: Iterable[str | int]) -> str:
    """`("deadlines", "acceptance", "days")` → `deadlines.acceptance.days`; list indexes as `[3]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out

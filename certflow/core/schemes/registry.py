"""The shipped schemes: every file in `settings.CERTFLOW["SCHEME_DIRS"]`, loaded once per process.

A scheme is known by (code, version) from inside the file, not by its file name. When no
version is asked for, the current one is the newest version in force on the day (Asia/Shanghai).
A broken shipped file makes the whole registry refuse to load, as the system check does.
"""

from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from certflow.core.schemes.entities import Scheme
from certflow.core.schemes.errors import Problem, SchemeError, SchemeNotFound
from certflow.core.schemes.loader import load_scheme

SUFFIXES = (".yaml", ".yml")


def scheme_dirs() -> tuple[Path, ...]:
    return tuple(Path(d) for d in settings.CERTFLOW.get("SCHEME_DIRS", ()))


def scheme_files(dirs: tuple[Path, ...] | None = None) -> list[Path]:
    dirs = scheme_dirs() if dirs is None else dirs
    return sorted(p for d in dirs if d.is_dir() for p in d.iterdir() if p.suffix in SUFFIXES and p.is_file())


def all_schemes() -> tuple[Scheme, ...]:
    """Every shipped scheme version, ordered by code then effective date; `SchemeError` if any file is broken."""
    return _load_all(scheme_dirs())


def get_scheme(code: str | None = None, version: str | None = None, *, on: date | None = None) -> Scheme:
    """The scheme `code` (default `CERTFLOW["DEFAULT_SCHEME"]`) at `version`, or the one in force `on` (today)."""
    code = code or settings.CERTFLOW["DEFAULT_SCHEME"]
    versions = [s for s in all_schemes() if s.code == code]
    if not versions:
        raise SchemeNotFound(f"没有认证规范「{code}」", f"no scheme {code!r} is shipped")
    if version is not None:
        for scheme in versions:
            if scheme.version == version:
                return scheme
        known = ", ".join(s.version for s in versions)
        raise SchemeNotFound(
            f"认证规范「{code}」没有版本 {version}（已有：{known}）",
            f"{code} has no version {version!r} (known: {known})",
        )
    on = on or timezone.localdate()
    in_force = [s for s in versions if s.effective <= on]
    if not in_force:
        raise SchemeNotFound(f"{on} 时认证规范「{code}」尚无生效版本", f"no version of {code} is in force on {on}")
    return max(in_force, key=_version_order)


def clear_cache() -> None:
    _load_all.cache_clear()


def _version_order(scheme: Scheme) -> tuple:
    letter, _, number = scheme.version.partition("/")
    return (scheme.effective, letter, int(number))


@lru_cache(maxsize=8)
def _load_all(dirs: tuple[Path, ...]) -> tuple[Scheme, ...]:
    schemes, problems, seen = [], [], {}
    for path in scheme_files(dirs):
        try:
            scheme = load_scheme(path)
        except SchemeError as exc:
            problems.extend(exc.problems)
            continue
        key = (scheme.code, scheme.version)
        if key in seen:
            problems.append(
                Problem(
                    ("scheme", "version"),
                    f"{scheme.label} 已由 {seen[key]} 提供，同一版本只能有一个文件",
                    f"{scheme.label} is also defined by {seen[key]}; one file per version",
                    origin=str(path),
                )
            )
        seen[key] = str(path)
        schemes.append(scheme)
    if problems:
        raise SchemeError(problems, "shipped schemes")
    return tuple(sorted(schemes, key=lambda s: (s.code, *_version_order(s))))


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    # Tests point SCHEME_DIRS elsewhere with override_settings; the cache must follow.
    if setting == "CERTFLOW":
        clear_cache()

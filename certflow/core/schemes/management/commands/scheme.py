"""`certflow scheme check PATH… | list | sync`: validate, list and record scheme versions."""

import contextlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certflow.core.schemes.entities import STAGES, Scheme
from certflow.core.schemes.errors import SchemeError
from certflow.core.schemes.loader import load_scheme
from certflow.core.schemes.registry import all_schemes, get_scheme


class Command(BaseCommand):
    help = "Validate, list and record certification scheme files. 校验、列出并记录认证规范文件。"
    # `scheme check` must still run, and explain, when a shipped file is what is broken.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,list,sync}")
        check = actions.add_parser("check", help="validate scheme files, print every error with its location")
        check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        actions.add_parser("list", help="list the shipped scheme versions")
        actions.add_parser("sync", help="record the shipped scheme versions in the database")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _check(self, paths, **options):
        failed = 0
        for path in paths:
            try:
                scheme = load_scheme(path)
            except SchemeError as exc:
                failed += 1
                self.stderr.write(f"{path}: {len(exc.problems)} 处错误 / problem(s)")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                continue
            self.stdout.write(self.style.SUCCESS(f"{path}: OK") + f"  {summary(scheme)}")
        if failed:
            raise CommandError(f"{failed} 个规范文件无效 / {failed} scheme file(s) invalid")

    def _list(self, **options):
        schemes = _shipped()
        today = timezone.localdate()
        current = set()
        for code in {s.code for s in schemes}:
            with contextlib.suppress(LookupError):  # a code with only future versions has no current one
                current.add(get_scheme(code, on=today).label)
        for s in schemes:
            mark = "*" if s.label in current else " "
            self.stdout.write(
                f"{mark} {s.code}  {s.version}  effective {s.effective}  sha256 {s.sha256[:12]}  {Path(s.origin).name}"
            )
        self.stdout.write(f"* = 当前生效版本 / current version on {today}")

    def _sync(self, **options):
        from certflow.core.schemes.services import scheme_version_sync

        try:
            results = scheme_version_sync(_shipped())
        except SchemeError as exc:
            raise CommandError(str(exc)) from exc
        for row, created in results:
            state = "已记录 / recorded" if created else "已存在 / already recorded"
            self.stdout.write(f"{row.code} {row.version}: {state} (sha256 {row.sha256[:12]})")


def _shipped() -> tuple[Scheme, ...]:
    try:
        return all_schemes()
    except SchemeError as exc:
        raise CommandError(str(exc)) from exc


def summary(scheme: Scheme) -> str:
    stages = ", ".join(f"{stage} {len(scheme.items_for_stage(stage))}" for stage in STAGES)
    grades = ", ".join(f"{g.code} ≥{g.min_score}" for g in scheme.grading.grades)
    threshold = scheme.survey.threshold
    return (
        f"{scheme.label} (effective {scheme.effective}): {len(scheme.requirements)} requirement items in "
        f"{len(scheme.clauses)} clauses ({stages}), {len(scheme.materials)} materials, "
        f"{len(scheme.survey.dimensions)} survey dimensions, pass {threshold.value}"
        f"{' inclusive' if threshold.inclusive else ''}, {len(scheme.deadlines)} deadlines, grades {grades}; "
        f"sha256 {scheme.sha256[:12]}"
    )

"""certflow tick [--date YYYY-MM-DD]: the daily sweep (decisions L4, L5).

Exit codes: 0 every step done or already done; 1 a step failed (the others still ran; run again to retry it);
2 a bad or refused date.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from certflow.core.rules import RuleViolation
from certflow.lifecycle.ticking import run_tick


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"日期格式应为 YYYY-MM-DD / the date must look like 2026-11-24: {value!r}", returncode=2
        ) from None


class Command(BaseCommand):
    help = "每日例行任务：证书到期、过渡期失效、暂停期满、整改逾期、受理期限等 / the idempotent daily sweep"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="运行的日期（默认今天，北京时间）/ the day to run (default: today, Asia/Shanghai)"
        )

    def handle(self, *args, **options):
        day = _day(options["date"]) if options.get("date") else None
        try:
            results = run_tick(day)
        except RuleViolation as exc:
            raise CommandError(f"{exc.zh} / {exc.en}", returncode=2) from None
        shown = day.isoformat() if day else "today"
        self.stdout.write(f"例行任务 / tick {shown}:")
        failed = 0
        for result in results:
            step = result.step
            label = f"{step.label_zh} / {step.label_en}"
            if result.outcome == "skipped":
                self.stdout.write(f"  跳过（今日已完成）/ skipped (already done): {label}")
            elif result.outcome == "failed":
                failed += 1
                self.stderr.write(f"  失败 / FAILED: {label}: {result.error}")
            else:
                counts = ", ".join(f"{k}={v}" for k, v in result.counts.items()) or "—"
                self.stdout.write(f"  完成 / done: {label}: {counts}")
        if failed:
            raise CommandError(
                f"{failed} 个步骤失败，可重新运行重试 / {failed} step(s) failed; run again to retry", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("例行任务完成 / tick finished"))

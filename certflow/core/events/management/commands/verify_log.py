from django.core.management.base import BaseCommand, CommandError

from certflow.core.events.services import verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the event log and name the first broken entry. 校验事件日志哈希链。"

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"事件日志校验失败 / event log is broken at {report.problem} "
                f"({report.checked} entries intact before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"事件日志完整 / event log intact: {report.checked} entries"))

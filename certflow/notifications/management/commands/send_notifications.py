"""`certflow send-notifications` sends the notification e-mails that are due and prints the counts."""

from django.core.management.base import BaseCommand, CommandError

from certflow.notifications.services import deliver_pending


class Command(BaseCommand):
    help = "发送到期的通知邮件（含失败后的重试） / send the notification e-mails that are due, retries included"

    def add_arguments(self, parser):
        parser.add_argument("--limit", default="200", help="at most this many e-mails in one run (default 200)")

    def handle(self, *args, **options):
        limit = options["limit"]
        if not str(limit).isdigit() or int(limit) < 1:
            raise CommandError(f"--limit 必须是正整数 / --limit must be a positive whole number, got {limit!r}")
        report = deliver_pending(limit=int(limit))
        self.stdout.write(
            f"已发送 {report.sent}，待重试 {report.retry}，已放弃 {report.failed}，不发送 {report.skipped}，"
            f"顺延 {report.deferred} / sent {report.sent}, to retry {report.retry}, gave up {report.failed}, "
            f"skipped {report.skipped}, deferred {report.deferred}"
        )

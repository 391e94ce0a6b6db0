from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certflow.core.backup.database import BackupError
from certflow.core.backup.services import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `certflow backup` into an empty database and file storage, then check "
        "row counts, file checksums and the event chain. 将备份恢复到空数据库并校验。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the certflow-backup-<time> folder")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a target database or file storage that is not empty"
        )
        parser.add_argument(
            "--manifest-sha256",
            default=None,
            help="the manifest SHA-256 printed by `certflow backup`: refuse a backup whose manifest differs",
        )

    def handle(self, *args, folder, force, manifest_sha256, **options):
        try:
            result = restore(folder, force=force, manifest_sha256=manifest_sha256)
        except (BackupError, OSError) as exc:
            raise CommandError(f"恢复失败 / restore failed: {exc}") from None
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"恢复完成 / restored: {folder}"))
        self.stdout.write(f"  数据库 / database: {result.rows} rows in {result.tables} tables, counts match")
        self.stdout.write(f"  文件 / files: {result.files}, checksums match")
        self.stdout.write(f"  事件日志 / event log: {result.events} entries, chain intact, head matches")
        self.stdout.write(f"  用时 / time: {result.seconds:.2f} s")

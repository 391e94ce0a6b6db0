from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certflow.core.backup.database import BackupError
from certflow.core.backup.services import backup


class Command(BaseCommand):
    help = (
        "Back up the database, the stored files and a manifest of checksums into a new folder. "
        "备份数据库、已存文件及校验清单。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="folder to create the backup in (default: CERTFLOW_VAR_DIR/backups); a new "
            "certflow-backup-<UTC time> folder is made inside it",
        )

    def handle(self, *args, output, **options):
        output = output or Path(settings.VAR_DIR) / "backups"
        try:
            result = backup(output)
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败 / backup failed: {exc}") from None
        database = result.manifest["database"]
        self.stdout.write(self.style.SUCCESS(f"备份完成 / backup written: {result.folder}"))
        self.stdout.write(
            f"  数据库 / database: {database['engine']}, {sum(database['row_counts'].values())} rows in "
            f"{len(database['row_counts'])} tables ({database['tool']})"
        )
        self.stdout.write(f"  文件 / files: {len(result.manifest['files'])}")
        head = database["event_chain_head"]
        self.stdout.write(f"  事件链头 / event head: {head['seq']}:{head['hash']}")
        self.stdout.write(f"  清单 SHA-256 / manifest SHA-256: {result.manifest_sha256}")
        self.stdout.write(f"  用时 / time: {result.seconds:.2f} s")
        self.stdout.write(
            "请把清单的 SHA-256 与事件链头另行保存（备份之外）/ keep the manifest SHA-256 and the event head "
            "somewhere apart from the backup: `certflow restore --manifest-sha256` and `certflow verify-log "
            "--expect` check against them"
        )

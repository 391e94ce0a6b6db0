import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certflow.core.events.chain import Anchor
from certflow.core.events.services import chain_head, verify_anchors, verify_chain


def _read_anchor_file(path: Path) -> list[Anchor]:
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                anchors.append(Anchor.parse(line))
            except ValueError as exc:
                raise CommandError(f"{path}:{number}: {exc}") from None
    return anchors


class Command(BaseCommand):
    help = (
        "Check the hash chain of the event log, name the first broken entry and print the head to keep "
        "elsewhere. 校验事件日志哈希链，并输出链头以便在系统外留存。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="an earlier head printed by this command; the log must still contain it (repeatable)",
        )
        parser.add_argument(
            "--anchor-file",
            type=Path,
            help="JSON-lines file of earlier heads, kept where the application cannot rewrite it "
            "(append-only or another machine); every line is checked, then the current head is appended",
        )
        parser.add_argument(
            "--no-record", action="store_true", help="with --anchor-file: check only, do not append the head"
        )

    def handle(self, *args, expect, anchor_file, no_record, **options):
        try:
            anchors = [Anchor.parse(text) for text in expect]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        recorded = _read_anchor_file(anchor_file) if anchor_file is not None else []
        anchors += recorded

        report = verify_chain()
        head = chain_head()
        if not report.ok:
            raise CommandError(
                f"事件日志校验失败 / event log is broken at {report.problem} "
                f"({report.checked} entries intact before it)"
            )
        problem = verify_anchors(anchors)
        if problem is not None:
            raise CommandError(f"事件日志与外部锚点不符 / event log does not match an external anchor: {problem}")
        if anchor_file is not None and not no_record and (not recorded or recorded[-1] != head):
            with anchor_file.open("a", encoding="utf-8") as out:
                record = {"seq": head.seq, "hash": head.hash, "recorded_at": timezone.now().isoformat()}
                out.write(json.dumps(record) + "\n")
        self.stdout.write(self.style.SUCCESS(f"事件日志完整 / event log intact: {report.checked} entries"))
        if anchors:
            self.stdout.write(f"外部锚点一致 / {len(anchors)} external anchor(s) match")
        self.stdout.write(f"链头 / head: {head}")

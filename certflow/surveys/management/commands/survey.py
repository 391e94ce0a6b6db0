"""`certflow survey redraw-check <survey>` repeats a draw and proves it identical;
`certflow survey run-import <job>` runs (or resumes) a customer-list import in this process."""

import sys

from django.core.management.base import BaseCommand, CommandError

from certflow.surveys import services
from certflow.surveys.models import ImportJob, Survey


class Command(BaseCommand):
    help = "满意度调查工具 / satisfaction survey tools: redraw-check, run-import"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("redraw-check", help="repeat the recorded draw and compare")
        check.add_argument("survey", type=int)
        run = sub.add_parser("run-import", help="run or resume a queued customer-list import")
        run.add_argument("job", type=int)

    def handle(self, *args, **options):
        if options["action"] == "redraw-check":
            return self._redraw_check(options["survey"])
        return self._run_import(options["job"])

    def _redraw_check(self, pk: int):
        try:
            survey = Survey.objects.select_related("application__scheme_version").get(pk=pk)
        except Survey.DoesNotExist:
            raise CommandError(f"no survey {pk}") from None
        if not survey.seed:
            raise CommandError("该调查尚未抽样 / the survey has not been drawn")
        ok, problems = services.redraw_check(survey)
        self.stdout.write(f"survey {survey.pk} round {survey.round}: seed {survey.seed}")
        self.stdout.write(f"recorded frame SHA-256 {survey.frame_sha256}")
        if ok:
            self.stdout.write(
                self.style.SUCCESS(f"一致 / identical: {survey.sample_size} of {survey.population} customers")
            )
            return
        for problem in problems:
            self.stderr.write(f"不一致 / differs: {problem}")
        sys.exit(1)

    def _run_import(self, pk: int):
        try:
            job = ImportJob.objects.get(pk=pk)
        except ImportJob.DoesNotExist:
            raise CommandError(f"no import job {pk}") from None
        if job.state == ImportJob.State.RUNNING:
            ImportJob.objects.filter(pk=pk).update(state=ImportJob.State.QUEUED)
        job = services.run_import(pk)
        self.stdout.write(f"{job.state}: {job.message_zh} / {job.message_en}")

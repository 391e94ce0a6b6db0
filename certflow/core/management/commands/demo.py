"""`certflow demo`: load the demo data (idempotent) and print the demo logins."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each stage of the lifecycle adds its step here, in the standard's order.
DEMO_STEPS = [
    "certflow.accounts.demo",
    "certflow.applications.demo",
    "certflow.reviews.demo",
    "certflow.surveys.demo",
    "certflow.auditors.demo",
    "certflow.audits.demo",
    "certflow.audits.demo_conduct",
    "certflow.certificates.demo",
    "certflow.decisions.demo",
    "certflow.lifecycle.demo",
    "certflow.surveillance.demo",
    # Last: every step that creates staff has run, so each gets the demo authenticator.
    "certflow.accounts.demo_second_factor",
]
# Only the people: staff with their roles, the demo enterprises and the auditor register. The demo's
# files, applications and certificates carry fixed dates of 2026; a world that starts at another
# date (the browser scenarios in e2e/, a training course) starts from these and walks the lifecycle.
PEOPLE_STEPS = [
    "certflow.accounts.demo",
    "certflow.auditors.demo",
    # The committee's quorum of three: no decision can be made in a people-only world without them.
    "certflow.decisions.demo_committee",
    "certflow.accounts.demo_second_factor",
]


class Command(BaseCommand):
    help = "Load demo data and print the demo logins. 载入演示数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--people-only",
            action="store_true",
            help="only staff, enterprises and the auditor register, no applications or certificates "
            "仅载入人员、企业与审核员名录",
        )

    def handle(self, *args, **options):
        from certflow.accounts.demo import DEMO_PASSWORD

        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for step in PEOPLE_STEPS if options["people_only"] else DEMO_STEPS:
                logins.extend(import_module(step).seed(self.stdout))
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready. 登录 / logins:"))
        width = max(len(email) for email, _ in logins)
        for email, what in logins:
            self.stdout.write(f"  {email.ljust(width)}  {DEMO_PASSWORD}  {what}")

"""Screenshots of the main pages at desktop and phone width, for a person to look at.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 /tmp/shots
    .venv/bin/python scripts/screenshots.py URL DIR --staff admin@olis-cert.example \\
        --enterprise owner@jiangxin.example --password certflow-demo-2026 --lang en

Drives the system's Chromium (Debian: `apt-get install chromium`) through Playwright; it never
downloads a browser. The defaults are the logins `certflow demo` prints, including the demo staff's
authenticator key (CB staff pass a TOTP code after the password). Each person signs in once and the
browser state is reused: a TOTP code is accepted only once. Exits 1 when a page answers with an error
status, after taking every other screenshot.
"""

import argparse
import sys
from base64 import b32decode
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import sync_playwright

WIDTHS = {"1280": {"width": 1280, "height": 800}, "375": {"width": 375, "height": 812}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANONYMOUS_PAGES = [("login", "/accounts/login/")]
STAFF_PAGES = [
    ("dashboard", "/dashboard/"),
    ("enterprise-list", "/accounts/enterprises/"),
    ("event-log", "/events/"),
    ("calendar", "/calendar/"),
]
ENTERPRISE_PAGES = [("enterprise-home", "/enterprise/")]
# Applications and acceptance: (login, name, path, link to follow from that page or None). The demo's
# applications have no fixed ids, so a page is reached the way a person would: from a list, by a link.
APPLICATION_PAGES = [
    ("clerk@olis-cert.example", "acceptance-queue", "/applications/acceptance/", None),
    ("clerk@olis-cert.example", "acceptance-page", "/applications/acceptance/", "table.queue tbody tr a"),
    ("clerk@olis-cert.example", "application-list-staff", "/applications/", None),
    ("owner@yunshang.example", "application-wizard-draft", "/applications/", "tr:has(.app-draft) a"),
    ("owner@jiangxin.example", "application-list", "/applications/", None),
    (
        "owner@jiangxin.example",
        "application-wizard-supplement",
        "/applications/",
        "tr:has(.app-supplement_requested) a",
    ),
    ("owner@jiangxin.example", "application-new", "/applications/new/", None),
    # Decision, surveillance, changes, regulator report (issues 6 and 7).
    ("manager@olis-cert.example", "dashboard-manager", "/dashboard/", None),
    ("manager@olis-cert.example", "decision-queue", "/decisions/", None),
    ("manager@olis-cert.example", "decision-dossier", "/decisions/", "table tbody tr a[href^='/decisions/']"),
    ("manager@olis-cert.example", "surveillance-programme", "/surveillance/", None),
    (
        "manager@olis-cert.example",
        "surveillance-certificate",
        "/surveillance/",
        "table tbody tr a[href*='/surveillance/certificates/']",
    ),
    ("manager@olis-cert.example", "change-register", "/lifecycle/changes/", None),
    ("manager@olis-cert.example", "report-monthly", "/reports/monthly/?month=2026-10", None),
    ("owner@youpin.example", "certificate-suspended-enterprise", "/certificates/", "table tbody tr a"),
    (None, "verify-search", "/verify/?q=中山优品", None),
    (None, "verify-certificate", "/verify/?q=中山优品", "a[href^='/verify/']:not([href='/verify/'])"),
]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where certflow answers, e.g. http://127.0.0.1:8000")
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument("--staff", default="admin@olis-cert.example", help="an administrator's e-mail")
    parser.add_argument("--enterprise", default="owner@jiangxin.example", help="an enterprise user's e-mail")
    parser.add_argument("--password", default="certflow-demo-2026", help="the password of both users")
    parser.add_argument(
        "--totp-secret", default="MNSXE5DGNRXXOLLEMVWW6LLUN52HAIJB", help="the demo staff's authenticator key"
    )
    parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"], help="interface language")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="path of the Chromium binary")
    return parser.parse_args(argv)


class Shooter:
    def __init__(self, browser, args):
        self.browser = browser
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.failures: list[str] = []
        self.signed_in: dict[str, dict] = {}  # e-mail -> the browser state of its one sign-in

    def session(self, size, email=None):
        state = self.signed_in.get(email)
        context = self.browser.new_context(
            viewport=size, locale="zh-CN", timezone_id="Asia/Shanghai", storage_state=state
        )
        host = self.base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        context.add_cookies([{"name": "django_language", "value": self.args.lang, "domain": host, "path": "/"}])
        page = context.new_page()
        if email and state is None:
            page.goto(self.base + "/accounts/login/")
            page.fill("input[name=username]", email)
            page.fill("input[name=password]", self.args.password)
            with page.expect_navigation():
                page.click("form.stacked button[type=submit]")
            if "/accounts/second-factor/" in page.url:
                page.fill(
                    "input[name=otp]",
                    f"{totp(b32decode(self.args.totp_secret + '=' * (-len(self.args.totp_secret) % 8))):06d}",
                )
                with page.expect_navigation():
                    page.click("form.stacked button[type=submit]")
            if "/accounts/login/" in page.url or "/accounts/second-factor/" in page.url:
                self.failures.append(f"{email}: login failed (still on {page.url})")
            else:
                self.signed_in[email] = context.storage_state()
        return context, page

    def shoot(self, page, width, name, path):
        response = page.goto(self.base + path)
        page.wait_for_load_state("networkidle")
        target = self.args.out_dir / f"{width}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        status = response.status if response else "no response"
        print(f"{target}  {path}  {status}")
        if response is None or response.status >= 400:
            self.failures.append(f"{path} at {width}px: HTTP {status}")

    def follow(self, page, width, name, path, selector):
        page.goto(self.base + path)
        link = page.locator(selector).first
        if link.count() == 0:
            self.failures.append(f"{path}: nothing matches {selector!r} to follow")
            return
        self.shoot(page, width, name, link.get_attribute("href"))

    def run_applications(self):
        for width, size in WIDTHS.items():
            for email, name, path, selector in APPLICATION_PAGES:
                context, page = self.session(size, email)
                try:
                    if selector:
                        self.follow(page, width, name, path, selector)
                    else:
                        self.shoot(page, width, name, path)
                finally:
                    context.close()

    def run(self):
        who = ((None, ANONYMOUS_PAGES), (self.args.staff, STAFF_PAGES), (self.args.enterprise, ENTERPRISE_PAGES))
        for width, size in WIDTHS.items():
            for email, pages in who:
                context, page = self.session(size, email)
                try:
                    for name, path in pages:
                        self.shoot(page, width, name, path)
                finally:
                    context.close()


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            shooter = Shooter(browser, args)
            shooter.run()
            shooter.run_applications()
        finally:
            browser.close()
    for failure in shooter.failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if shooter.failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""What every scenario needs: the server it talks to, the clock it moves, people who sign in as
themselves, the mail the server sent, and a numbered screenshot of every step.

Waits are for states, never for time: Playwright's auto-waiting locators and ``expect`` assertions,
``wait_for_url`` after a form posts, and the mail folder polled until the message is there.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import time
from base64 import b32decode
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from zoneinfo import ZoneInfo

from django_otp.oath import hotp
from playwright.sync_api import BrowserContext, Page, expect

BEIJING = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "certflow-demo-2026"
DEMO_TOTP_KEY = "MNSXE5DGNRXXOLLEMVWW6LLUN52HAIJB"
TOTP_STEP = 30


@dataclass
class Clock:
    """The server's clock: real time plus the offset in ``path`` (certflow/core/testing/e2e_clock.py)."""

    path: Path

    def offset(self) -> float:
        try:
            return float(self.path.read_text().strip() or 0)
        except FileNotFoundError:
            return 0.0

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset(), tz=BEIJING)

    def today(self) -> date:
        return self.now().date()

    def set(self, when: datetime) -> None:
        """Move the server to ``when`` (Beijing time when naive). Time only moves forward."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=BEIJING)
        offset = when.timestamp() - time.time()
        if self.path.exists() and offset < self.offset() - 1:
            raise AssertionError(f"the e2e clock only moves forward (asked for {when.isoformat()})")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{offset:.3f}\n")
        tmp.replace(self.path)

    def advance(self, days: int = 0, hours: int = 0) -> None:
        self.set(self.now() + timedelta(days=days, hours=hours))

    def go_to_day(self, day: date, hour: int = 9) -> None:
        """Move to ``hour`` o'clock Beijing time on ``day``."""
        self.set(datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING))


@dataclass
class Server:
    base_url: str
    var_dir: Path
    env: dict
    clock: Clock
    python: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def certflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a ``certflow`` command on the server's database, at the server's clock."""
        result = subprocess.run(
            [self.python, "-m", "certflow", *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode:
            raise AssertionError(f"certflow {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    # --- mail ---------------------------------------------------------------------------------------
    def mail_to(self, address: str, subject_contains: str = "", timeout: float = 20.0) -> list[str]:
        """Bodies of the messages sent to ``address`` (newest last), waiting until at least one matches."""
        deadline = time.monotonic() + timeout
        while True:
            found = []
            for path in sorted((self.var_dir / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
                for message in _messages(path):
                    recipients = ",".join(message.get_all("To", []) + message.get_all("Cc", []))
                    subject = str(make_header(decode_header(message.get("Subject", ""))))
                    if address in recipients and subject_contains in subject:
                        found.append(subject + "\n" + _body(message))
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)  # polling the mail folder for the state "message delivered"


def _messages(path: Path):
    # Django's file backend separates messages with a line of 79 dashes.
    for chunk in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
        if chunk.strip():
            yield email.message_from_string(chunk.strip())


def _body(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


def links_in(text: str, base_url: str) -> list[str]:
    return re.findall(re.escape(base_url) + r"/[^\s\"'<>]+", text) + re.findall(r"https?://[^\s\"'<>]+", text)


@dataclass
class Steps:
    """Numbered screenshots of a scenario, kept in ``folder`` (a CI artifact)."""

    folder: Path
    count: int = 0
    taken: list[str] = field(default_factory=list)

    def shot(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path.name)
        return path


class Person:
    """Someone who signs in as themselves in their own browser context and stays signed in.

    Sessions expire when the scenario moves the clock by weeks; ``open`` notices the login page and
    signs in again, as a person would.
    """

    def __init__(self, server: Server, browser, email_address: str, password: str = DEMO_PASSWORD, totp_key=None):
        self.server = server
        self.email = email_address
        self.password = password
        self.totp_key = totp_key
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()

    def close(self) -> None:
        self.context.close()

    def open(self, path: str) -> Page:
        self.page.goto(self.server.url(path))
        if "/accounts/login/" in self.page.url:
            self.sign_in()
            self.page.goto(self.server.url(path))
        return self.page

    def sign_in(self) -> None:
        page = self.page
        if "/accounts/login/" not in page.url:
            page.goto(self.server.url("/accounts/login/"))
        page.fill("input[name=username]", self.email)
        page.fill("input[name=password]", self.password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if "/accounts/second-factor/" in page.url:
            page.fill("input[name=otp]", self._otp())
            page.click("form.stacked button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)

    # The server keeps, per person, the last step a code was accepted for; every Person of a run shares this.
    _last_steps: dict[str, int] = {}

    def _otp(self) -> str:
        if not self.totp_key:
            raise AssertionError(f"{self.email} is asked for a second factor but has no authenticator key")
        # The server checks codes at its own (moved) clock, a code counts once, and the device also takes
        # the next step's code; so a second sign-in within the same 30 s uses the next step, and a third
        # waits for the real clock to reach the step after.
        last = Person._last_steps.get(self.email, -1)

        def now_step() -> int:
            return int((time.time() + self.server.clock.offset()) // TOTP_STEP)

        while now_step() + 1 <= last:
            time.sleep(0.5)  # polling for the state "the authenticator shows a fresh code"
        step = max(now_step(), last + 1)
        Person._last_steps[self.email] = step
        key = b32decode(self.totp_key + "=" * (-len(self.totp_key) % 8))
        return f"{hotp(key, step):06d}"


def expect_text(page: Page, text: str) -> None:
    expect(page.locator("body")).to_contain_text(text)


def env_for(base: dict, **extra) -> dict:
    env = dict(os.environ)
    env.update(base)
    env.update({k: str(v) for k, v in extra.items()})
    return env

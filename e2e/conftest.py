"""The end-to-end world: one ``certflow serve`` on PostgreSQL, seeded with the demo, on a moved clock.

Run with ``./dev e2e``. The scenarios share one server and one clock that only moves forward, so
each scenario moves time relative to where it finds it. Screenshots go to ``$CERTFLOW_E2E_ARTIFACTS``
(default ``artifacts/e2e``), one folder per scenario; a failing scenario also leaves a picture of
every open page.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect, sync_playwright

from e2e.support import BEIJING, DEMO_TOTP_KEY, Clock, Person, Server, Steps

ROOT = Path(__file__).resolve().parent.parent
# The scenarios start in the autumn of 2025 so that a whole year of a certificate's life (decision,
# then the first surveillance window 9–12 months later) stays within years the PRC holiday
# calendar has published; a year without data is refused, never guessed (decisions W3).
START = datetime(2025, 10, 9, 9, 0, tzinfo=BEIJING)
DATABASE = os.environ.get("CERTFLOW_E2E_DATABASE", "certflow_e2e")
PG = os.environ.get("CERTFLOW_E2E_PG", "postgres://postgres@127.0.0.1:5432")
CHROMIUM = os.environ.get("CERTFLOW_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STAFF_DOMAIN = "@olis-cert.example"
# A page that renders and stores a PDF, on a CI machine running the server, the browser and the scenario
# on two cores, can take longer than Playwright's 5 s default; a state that never comes still fails.
expect.set_options(timeout=20_000)

# A mainland mobile number (11 digits from 13x to 19x) or an e-mail address, anywhere in a log line.
PERSONAL_IN_LOG = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|[\w.+-]+@[\w-]+\.[\w.-]+")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _recreate_database() -> None:
    with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _timed(label: str, started: float) -> None:
    sys.stderr.write(f"[e2e] {label}: {time.monotonic() - started:.1f} s\n")


@pytest.fixture(scope="session")
def server():
    var_dir = Path(tempfile.mkdtemp(prefix="certflow-e2e-"))
    clock = Clock(var_dir / "clock")
    clock.set(START)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.e2e_settings",
        "CERTFLOW_E2E_CLOCK_FILE": str(clock.path),
        "CERTFLOW_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "EMAIL_MODE": "file",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # People here sign in many times a minute from one address; the limits are tested elsewhere.
        "CERTFLOW_VERIFY_PAGE_RATE": "1000/min",
        "CERTFLOW_VERIFY_API_RATE": "1000/min",
        "CERTFLOW_COMPLAINT_PAGE_RATE": "1000/hour",
        "CERTFLOW_COMPLAINT_API_RATE": "1000/hour",
        "CERTFLOW_REGISTER_PAGE_RATE": "1000/hour",
        "API_AUTH_RATE": "1000/min",
    }
    srv = Server(f"http://127.0.0.1:{port}", var_dir, env, clock, sys.executable)
    started = time.monotonic()
    _recreate_database()
    srv.certflow("migrate", "--noinput", "-v", "0")
    srv.certflow("scheme", "sync")
    srv.certflow("demo", "--people-only")
    _timed("database, migrations and demo data", started)
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "certflow", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(srv.url("/healthz"), timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() - started > 60:
            raise AssertionError("certflow serve did not come up:\n" + (var_dir / "server.log").read_text())
        time.sleep(0.2)  # polling for the state "server answers /healthz"
    _timed("server up", started)
    yield srv
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()
    server_log = (var_dir / "server.log").read_text()
    # A refusal (403, 404) is logged with its traceback at WARNING; only a server error fails the run.
    server_errors = [line for line in server_log.splitlines() if re.search(r'" 5\d\d \d+ "| ERROR |\[ERROR\]', line)]
    if os.environ.get("CERTFLOW_E2E_KEEP"):
        sys.stderr.write(f"[e2e] kept {var_dir}\n")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    first = server_log[server_log.find(server_errors[0]) :][:4000] if server_errors else ""
    assert not server_errors, f"the server answered {len(server_errors)} times with an error:\n{first}"
    # Personal data never reaches the server's log (issue 10 item 8): the scenario types customers' and
    # contacts' mobile numbers and people's e-mail addresses into forms and files all along.
    leaks = [line for line in server_log.splitlines() if PERSONAL_IN_LOG.search(line)]
    assert not leaks, f"the server log holds personal data in {len(leaks)} lines, e.g.:\n{leaks[0][:500]}"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("CERTFLOW_E2E_ARTIFACTS", ROOT / "artifacts" / "e2e"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def steps(request, artifacts) -> Steps:
    folder = artifacts / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Steps(folder)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def people(request, server, browser, steps):
    """``people("clerk@olis-cert.example")`` → a Person signed in on first use, one per address."""
    opened: dict[str, Person] = {}

    def person(address: str, password: str | None = None) -> Person:
        if address not in opened:
            key = DEMO_TOTP_KEY if address.endswith(STAFF_DOMAIN) else None
            kwargs = {"totp_key": key}
            if password:
                kwargs["password"] = password
            opened[address] = Person(server, browser, address, **kwargs)
        return opened[address]

    yield person
    report = getattr(request.node, "report_call", None)
    for address, someone in opened.items():
        if report is not None and report.failed:
            for number, page in enumerate(someone.context.pages):
                page.screenshot(path=str(steps.folder / f"failed-{address}-{number}.png"), full_page=True)
        someone.close()


@pytest.fixture
def world(server, people, steps):
    from e2e.journey import World

    return World(server, people, steps)

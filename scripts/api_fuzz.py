"""Schemathesis against certflow's OpenAPI schema, once per role, on a throwaway PostgreSQL database.

    .venv/bin/python scripts/api_fuzz.py [--artifacts var/api-fuzz/] [--max-examples N] [--role NAME ...]

What it does, in order: drops and recreates the database `certflow_fuzz` (only that name), makes a
temporary CERTFLOW_VAR_DIR with a secret key, runs `certflow migrate`, `certflow scheme sync` and
`certflow demo`, serves the product with `certflow serve` (gunicorn) on a free local port, asks
POST /api/v1/auth/token/ for a token per demo login (CB staff add their TOTP code), then runs
`st run` against /api/schema/ as each role with the checks below. The server is stopped and the
temporary folder removed whatever happens; the database is left for a person to inspect.

Roles run in an order where no run can take another's credentials away: the one operation that
removes a person's tokens (POST /api/v1/users/{id}/reset-second-factor/, administrators only) runs
alone, after every other role, as the very last step.

Random identifiers would meet 404 on nearly every /{id}/ operation and never reach the code behind
it, so this file is also schemathesis' hooks module (SCHEMATHESIS_HOOKS=api_fuzz): integer path
parameters are drawn, most of the time, from the range the demo data occupies.

Exit status 0 when every role passed every check; 1 with a summary naming the roles that failed.
Reports (JUnit XML and the schemathesis console output) go to --artifacts, one set per role.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from base64 import b32decode
from pathlib import Path

import psycopg
import requests
import schemathesis
from django_otp.oath import totp
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DATABASE = "certflow_fuzz"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "certflow-demo-2026"
# The demo staff's published authenticator key (certflow demo prints it; demo domain only).
DEMO_TOTP_SECRET = "MNSXE5DGNRXXOLLEMVWW6LLUN52HAIJB"
RESET_SECOND_FACTOR = "/api/v1/users/{id}/reset-second-factor/"

# (role name, login or None for anonymous, is CB staff). The administrator comes after every other
# role; its token-removing operation is split off into the final "administrator-reset" step.
ROLES = [
    ("anonymous", None, False),
    ("enterprise", "owner@jiangxin.example", False),
    ("clerk", "clerk@olis-cert.example", True),
    ("auditor", "auditor@olis-cert.example", True),
    ("lead-auditor", "lead@olis-cert.example", True),
    ("committee", "committee@olis-cert.example", True),
    ("programme-manager", "manager@olis-cert.example", True),
    ("administrator", "admin@olis-cert.example", True),
]
CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "content_type_conformance",
        "status_code_conformance",
        "response_headers_conformance",
    )
)
# Throttles are part of the product, but a fuzzer from one address would trip them within seconds and
# every later answer would be a (documented) 429 that tests nothing. Raised for this run only.
THROTTLE_ENV = {
    "API_AUTH_RATE": "100000/min",
    "CERTFLOW_VERIFY_API_RATE": "100000/min",
    "CERTFLOW_VERIFY_PAGE_RATE": "100000/min",
    "CERTFLOW_COMPLAINT_API_RATE": "100000/min",
    "CERTFLOW_COMPLAINT_PAGE_RATE": "100000/min",
}


# The demo's tables hold a few dozen rows each; identifiers up to this reach them.
DEMO_ID_MAX = 60


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    """Integer path parameters: keep the generated value (unknown ids must answer 404) or use a demo id."""
    if not path_parameters:
        return st.just(path_parameters)
    numeric = [key for key, value in path_parameters.items() if isinstance(value, int) and not isinstance(value, bool)]
    if not numeric:
        return st.just(path_parameters)
    demo_ids = st.fixed_dictionaries({key: st.integers(1, DEMO_ID_MAX) for key in numeric})
    return st.one_of(st.just(path_parameters), demo_ids.map(lambda ids: {**path_parameters, **ids}))


# gunicorn's default access-log line: ... "GET /api/v1/me/ HTTP/1.1" 200 123 ...
ACCESS_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) \S+ HTTP/[0-9.]+" ([1-5][0-9][0-9]) ')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database() -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def run_command(args: list[str], env: dict, log: Path) -> None:
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        print(log.read_text()[-4000:])
        raise SystemExit(f"{' '.join(args)} failed with status {result.returncode} (log: {log})")
    print(f"  certflow {' '.join(args[1:])}: {time.monotonic() - started:.1f} s")


def wait_for_health(base: str, server: subprocess.Popen, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"certflow serve exited with status {server.returncode} before answering /healthz")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base}/healthz did not answer within {deadline_s:.0f} s")


def current_code() -> str:
    return f"{totp(b32decode(DEMO_TOTP_SECRET + '=' * (-len(DEMO_TOTP_SECRET) % 8))):06d}"


def obtain_token(base: str, email: str, is_staff: bool) -> str:
    # Each staff member has a device of their own, so one current code serves every staff login once.
    body = {"email": email, "password": PASSWORD}
    if is_staff:
        body["otp"] = current_code()
    response = requests.post(f"{base}/api/v1/auth/token/", json=body, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"no token for {email}: {response.status_code} {response.text[:300]}")
    return response.json()["token"]


def schemathesis(
    *, base: str, name: str, token: str | None, artifacts: Path, args: argparse.Namespace, extra: list[str]
) -> tuple[int, float]:
    report_dir = artifacts / name
    report_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(VENV_BIN / "st"),
        "run",
        f"{base}/api/schema/",
        "--checks",
        CHECKS,
        "--phases",
        args.phases,
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--seed",
        str(args.seed),
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        # The role's token is the credential under test; generated session cookies would only add noise.
        "--generation-with-security-parameters",
        "false",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        "--report-junit-path",
        str(report_dir / "junit.xml"),
        *extra,
    ]
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": Path(__file__).stem,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
    }
    started = time.monotonic()
    # Run from the report folder: schemathesis keeps a cache folder in its working directory.
    with (report_dir / "output.txt").open("w") as out:
        result = subprocess.run(command, cwd=report_dir, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    return result.returncode, elapsed


def summary_line(output: Path) -> str:
    """Schemathesis' own numbers (operations tested, test cases, failures) for the console."""
    lines = [line.strip() for line in output.read_text(errors="replace").splitlines()]
    tested = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Tested:")), "?")
    cases = next((line for line in lines if " generated, " in line), "?")
    failures = sorted({line for line in lines if line.startswith("- ST") or line.startswith("- Server error")})
    text = f"{tested} operations; {cases}"
    return text + (f"; {', '.join(failures)}" if failures else "")


def _terminate(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


def server_log_counts(log: Path, start: int) -> tuple[int, dict[str, int], int]:
    """Requests the server logged since byte `start` (gunicorn's access log), by status class."""
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode(errors="replace")
        end = handle.tell()
    classes: dict[str, int] = {}
    for match in ACCESS_LINE.finditer(text):
        key = match.group(1)[0] + "xx"
        classes[key] = classes.get(key, 0) + 1
    return sum(classes.values()), classes, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=Path, default=ROOT / "var" / "api-fuzz")
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="fuzzing test cases per operation and mode (default 3; 10 thorough)",
    )
    parser.add_argument("--phases", default=None, help="schemathesis phases (default examples,fuzzing)")
    parser.add_argument(
        "--thorough",
        action="store_true",
        help="add the coverage phase (every boundary and wrong-type value of every field) and more examples: "
        "twenty to thirty minutes on two cores, for a nightly run or after changing an API",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=8, help="the same seed gives the same inputs")
    parser.add_argument("--role", action="append", help="run only these roles (repeatable)")
    args = parser.parse_args()
    # CI's budget (about four minutes on two cores) fits examples + fuzzing for nine runs; the coverage
    # phase alone sends some 3,000-5,000 requests per role (docs/decisions.d/apifuzz.md).
    if args.phases is None:
        args.phases = "examples,coverage,fuzzing" if args.thorough else "examples,fuzzing"
    if args.max_examples is None:
        args.max_examples = 10 if args.thorough else 3
    sys.stdout.reconfigure(line_buffering=True)  # progress shows in CI logs as it happens
    # `kill` (a CI timeout) must still stop the server: turn SIGTERM into an exception the finally sees.
    signal.signal(signal.SIGTERM, _terminate)

    artifacts = args.artifacts.resolve()
    if artifacts.exists():
        shutil.rmtree(artifacts)
    artifacts.mkdir(parents=True)
    log = artifacts / "setup.log"
    total_started = time.monotonic()

    var_dir = Path(tempfile.mkdtemp(prefix="certflow-fuzz-"))
    (var_dir / "secret_key").write_text(os.urandom(32).hex())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **THROTTLE_ENV,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CERTFLOW_VAR_DIR": str(var_dir),
        "CERTFLOW_SITE_URL": base,
        "EMAIL_MODE": "file",
        "DEBUG": "0",
    }
    env.pop("SECRET_KEY", None)
    certflow = str(VENV_BIN / "certflow")
    server = None
    failed: list[str] = []
    try:
        step = time.monotonic()
        recreate_database()
        run_command([certflow, "migrate", "--no-input"], env, log)
        run_command([certflow, "scheme", "sync"], env, log)
        run_command([certflow, "demo"], env, log)
        print(f"setup (database {DATABASE}, migrate, scheme sync, demo): {time.monotonic() - step:.1f} s")

        step = time.monotonic()
        server_log = (artifacts / "server.log").open("w")
        server = subprocess.Popen(
            [certflow, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
            env=env,
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_health(base, server)
        tokens = {name: obtain_token(base, email, staff) for name, email, staff in ROLES if email}
        print(f"server up on {base}, {len(tokens)} tokens: {time.monotonic() - step:.1f} s")

        steps = []
        for name, _login, _staff in ROLES:
            extra = ["--exclude-path", RESET_SECOND_FACTOR] if name == "administrator" else []
            steps.append((name, tokens.get(name), extra))
        steps.append(("administrator-reset", tokens["administrator"], ["--include-path", RESET_SECOND_FACTOR]))
        if args.role:
            steps = [s for s in steps if s[0] in args.role or s[0].split("-reset")[0] in args.role]

        print(f"phases {args.phases}, max examples {args.max_examples}, seed {args.seed}")
        print(f"{'role':<21}{'status':<7}{'seconds':>8}{'requests':>9}  server answers; schemathesis summary")
        server_log.flush()
        offset = (artifacts / "server.log").stat().st_size
        for name, token, extra in steps:
            code, elapsed = schemathesis(base=base, name=name, token=token, artifacts=artifacts, args=args, extra=extra)
            requests_made, classes, offset = server_log_counts(artifacts / "server.log", offset)
            # A 5xx fails the run even if schemathesis missed it (say, during its schema load).
            if code != 0 or classes.get("5xx"):
                failed.append(name)
            status = "FAILED" if name in failed else "ok"
            answers = " ".join(f"{key}:{count}" for key, count in sorted(classes.items()))
            print(
                f"{name:<21}{status:<7}{elapsed:>8.1f}{requests_made:>9}  {answers}; "
                f"{summary_line(artifacts / name / 'output.txt')}"
            )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(var_dir, ignore_errors=True)

    print(f"total: {time.monotonic() - total_started:.1f} s; reports in {artifacts}")
    if failed:
        print(f"API fuzz FAILED for: {', '.join(failed)} (see {artifacts}/<role>/output.txt and junit.xml)")
        return 1
    print("API fuzz passed: no server errors, no schema violations, for every role")
    return 0


if __name__ == "__main__":
    sys.exit(main())

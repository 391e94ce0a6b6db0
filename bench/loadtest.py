"""Public verification under load: `certflow serve` (gunicorn) on the bench database, wrk on loopback.

    .venv/bin/python bench/loadtest.py SIZE [--seconds N]      prints one JSON object

Endpoints: a constant view (same server, middleware and workers; no database, no template), /healthz
(SELECT 1), the API by number, the page by number and the page by name. The verification throttles are
raised for the run (CERTFLOW_VERIFY_PAGE_RATE / CERTFLOW_VERIFY_API_RATE): one load generator is one
address. While a load runs, a certificate is suspended through the service and the API polled until it
says so: the time from the commit to the first answer showing it.
"""

import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CERTFLOW, ROOT, child_env, setup_django, var_dir  # noqa: E402

WRK = "/usr/bin/wrk"
CONNECTIONS = (32, 128)
RATE = "100000000/s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, process, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"certflow serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            # Not listening yet: gunicorn is still importing the project. Block on the socket briefly.
            with socket.socket() as s, contextlib.suppress(OSError):
                s.settimeout(0.2)
                s.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    raise SystemExit("certflow serve did not answer /healthz in time")


def lua_script(paths: list[str]) -> str:
    body = ",\n".join(json.dumps(p) for p in paths)
    return (
        f"local paths = {{\n{body}\n}}\n"
        "local i = math.random(#paths)\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(base: str, paths: list[str], connections: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(paths))
    try:
        out = subprocess.run(
            [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise SystemExit(f"wrk output not understood:\n{out}")
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": to_ms(latency["50"]),
        "p90_ms": to_ms(latency["90"]),
        "p99_ms": to_ms(latency["99"]),
        "non_2xx": int(non_ok.group(1)) if non_ok else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def targets() -> dict[str, list[str]]:
    from certflow.certificates.models import Certificate

    rng = random.Random(9)
    pks = list(Certificate.objects.values_list("pk", flat=True))
    chosen = Certificate.objects.filter(pk__in=rng.sample(pks, min(300, len(pks))))
    numbers = [c.number for c in chosen]
    # What a consumer types: the city and the trade name, the first four characters of the enterprise's name.
    names = sorted({c.enterprise_name[:4] for c in chosen})
    return {
        "constant": ["/bench/constant/"],
        "healthz (SELECT 1)": ["/healthz"],
        "API by number": [f"/api/v1/public/certificates/{n}" for n in numbers],
        "page by number": [f"/verify/c/{n}/" for n in numbers],
        "page by name": ["/verify/?" + urllib.parse.urlencode({"q": q}) for q in names],
    }


def status_propagation(base: str) -> dict:
    """Suspend a valid certificate through the service; poll the public API until it shows; restore."""
    from certflow.accounts.models import User
    from certflow.certificates import services
    from certflow.certificates.models import Certificate

    manager = User.objects.get(email="manager@olis-cert.example")
    certificate = Certificate.objects.filter(status="valid", is_legacy=False).order_by("id").first()
    url = f"{base}/api/v1/public/certificates/{certificate.number}"

    def shows(status: str, since: float, limit: float = 30.0) -> float | None:
        # Polled back to back (no pause): the figure is the first answer that shows the change.
        while time.perf_counter() - since < limit:
            with urllib.request.urlopen(url, timeout=limit) as answer:
                if json.load(answer)["status"] == status:
                    return time.perf_counter() - since
        return None

    services.certificate_suspend(by=manager, certificate=certificate, reason="基准测试：状态传播 / bench")
    committed = time.perf_counter()
    suspended = shows("suspended", committed)
    services.certificate_restore(by=manager, certificate=Certificate.objects.get(pk=certificate.pk), reason="bench")
    committed = time.perf_counter()
    restored = shows("valid", committed)
    return {"number": certificate.number, "suspend_visible_s": suspended, "restore_visible_s": restored}


def run(size: str, seconds: int) -> dict:
    setup_django(size)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(size, CERTFLOW_VERIFY_PAGE_RATE=RATE, CERTFLOW_VERIFY_API_RATE=RATE, DB_CONN_MAX_AGE=600)
    log = open(var_dir(size) / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [CERTFLOW, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(base, server, time.monotonic() + 120)
        # certflow serve's defaults: min(4, 2 × cores) workers, 2 threads each.
        workers = min(4, (os.cpu_count() or 1) * 2)
        results: dict = {"workers": workers, "threads": 2, "seconds": seconds, "endpoints": {}}
        for label, paths in targets().items():
            wrk(base, paths, 32, 1)  # warm: every worker connected and its caches filled
            results["endpoints"][label] = {str(c): wrk(base, paths, c, seconds) for c in CONNECTIONS}
        # The propagation is measured while the API is under the 32-client load.
        paths = targets()["API by number"]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua_script(paths))
        background = subprocess.Popen(
            [WRK, "-t2", "-c32", f"-d{seconds}s", "-s", script.name, base],
            stdout=subprocess.DEVNULL,
        )
        try:
            results["status_change"] = status_propagation(base)
        finally:
            background.wait()
            os.unlink(script.name)
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    size = sys.argv[1]
    seconds = int(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 10
    print(json.dumps(run(size, seconds)))

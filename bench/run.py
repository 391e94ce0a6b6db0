"""Run every benchmark and write the results (see bench/run --help).

Each part runs in its own process and prints JSON; a part that crashes is reported and makes the exit
status non-zero. A missed target does not: it is a figure in the results, marked MISS.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH, DATABASES, PG, PYTHON, ROOT, SIZES, child_env, var_dir  # noqa: E402

# How long each part may take before it counts as crashed.
LIMIT = {"small": 600, "large": 6 * 3600}


def generator_signature() -> str:
    return hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:16]


def database_ready(size: str) -> bool:
    import psycopg

    # The data set is rebuilt only on request (--rebuild) or when missing: the large one takes a while.
    if not (var_dir(size) / "build.json").exists():
        return False
    try:
        with psycopg.connect(PG + DATABASES[size], connect_timeout=5) as conn:
            count = conn.execute("SELECT count(*) FROM certificates_certificate").fetchone()[0]
    except psycopg.Error:
        return False
    return count >= SIZES[size].certificates


def build(size: str) -> dict:
    sys.path.insert(0, str(BENCH))
    from bench.generate import build as generate

    result = generate(size)
    result["generator"] = generator_signature()
    (var_dir(size) / "build.json").write_text(json.dumps(result, default=str, indent=1))
    return result


def part(label: str, args: list[str], size: str, results: dict, failures: list, env_size: str | None = None):
    """Run `python bench/<args>` and keep its JSON (or its failure)."""
    print(f"- {label}", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [PYTHON, *args],
            env=child_env(env_size or size),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=LIMIT[size],
        )
    except subprocess.TimeoutExpired:
        failures.append(f"{label}: timed out after {LIMIT[size]} s")
        results[label] = {"error": "timeout"}
        return None
    took = time.perf_counter() - start
    print(f"  [{took:7.2f} s] {label}", flush=True)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        failures.append(f"{label}: exit {done.returncode}\n{tail}")
        results[label] = {"error": tail, "wall_s": took}
        print(tail, file=sys.stderr)
        return None
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["wall_s"] = took
    data["measured_at"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    data["load_average"] = load()
    results[label] = data
    save_part(size, label, data)
    return data


def parts_dir(size: str) -> Path:
    path = var_dir(size) / "parts"
    path.mkdir(exist_ok=True)
    return path


def save_part(size: str, label: str, data: dict) -> None:
    """Each finished part is kept, so a run cut short (or `--only`) still reports what was measured."""
    (parts_dir(size) / (label.replace(" ", "_").replace("/", "_") + ".json")).write_text(
        json.dumps({"label": label, "data": data}, default=str)
    )


def saved_parts(size: str) -> dict:
    found = {}
    for file in sorted(parts_dir(size).glob("*.json")):
        item = json.loads(file.read_text())
        found[item["label"]] = item["data"]
    return found


def verify_log(size: str, results: dict, failures: list) -> None:
    print("- certflow verify-log", flush=True)
    start = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/certflow"), "verify-log"],
        env=child_env(size),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LIMIT[size],
    )
    took = time.perf_counter() - start
    print(f"  [{took:7.2f} s] certflow verify-log", flush=True)
    results["verify-log"] = {
        "ok": done.returncode == 0,
        "s": took,
        "output": (done.stdout + done.stderr).strip(),
        "measured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": load(),
    }
    save_part(size, "verify-log", results["verify-log"])
    if done.returncode != 0:
        failures.append(f"verify-log: exit {done.returncode}: {done.stdout.strip()} {done.stderr.strip()}")


def machine() -> dict:
    import psycopg

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    with psycopg.connect(PG + "postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem / 2**20, 1),
        "cpu": cpu,
        "postgresql": pg,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip() + (" with uncommitted changes" if dirty else ""),
    }


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--out", help="results file (default bench/RESULTS.md for large, a temp file for small)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if it is current")
    parser.add_argument("--only", nargs="*", help="parts to run (default all): build load pages survey imports "
                        "sweep documents verify-log")  # fmt: skip
    args = parser.parse_args()
    size = args.size
    out = Path(args.out) if args.out else (
        BENCH / "RESULTS.md" if size == "large" else Path(tempfile.gettempdir()) / "certflow-bench-small.md"
    )  # fmt: skip
    if size == "small" and out.resolve() == (BENCH / "RESULTS.md").resolve():
        parser.error("the small run never overwrites bench/RESULTS.md")
    only = set(args.only or ["build", "load", "pages", "survey", "imports", "sweep", "documents", "verify-log"])
    results: dict = {"size": size, "machine": machine(), "load": {}}
    failures: list[str] = []
    started = time.perf_counter()
    s = SIZES[size]

    from bench.report import write

    if args.only:
        # Parts measured by earlier runs of this size are reported too (each with its own date and load).
        for label, data in saved_parts(size).items():
            results.setdefault(label, data)

    def mark(name):
        results["total_s"] = time.perf_counter() - started
        results["failures"] = failures
        write(results, out)  # what is measured so far, in case the run is cut short
        results["load"][name] = load()

    if "build" in only:
        mark("build")
        print(f"- data set ({DATABASES[size]})", flush=True)
        start = time.perf_counter()
        try:
            if size == "small" or args.rebuild or not database_ready(size):
                results["build"] = build(size)
            else:
                results["build"] = json.loads((var_dir(size) / "build.json").read_text())
                results["build"]["reused"] = True
                # Migrations added since the build (other work in the tree) are applied before measuring.
                subprocess.run([str(ROOT / ".venv/bin/certflow"), "migrate", "--noinput", "-v", "0"],
                               env=child_env(size), cwd=ROOT, check=True)  # fmt: skip
        except Exception as exc:  # a broken generator is a crash like any other part
            failures.append(f"build: {exc!r}")
            results["build"] = {"error": repr(exc)}
        print(f"  [{time.perf_counter() - start:7.2f} s] data set", flush=True)
        if size == "large" and "pages" in only and not database_ready("small"):
            print("- data set (small, for the 500-certificate side of the staff pages)", flush=True)
            results["build small"] = build("small")
    if "pages" in only:
        mark("pages")
        runs = "5" if size == "small" else "3"
        part("staff pages (500)", ["bench/staff_pages.py", "small", "--runs", runs], size, results, failures, "small")
        if size == "large":
            part("staff pages (50,000)", ["bench/staff_pages.py", "large", "--runs", runs], size, results, failures)
    if "survey" in only:
        mark("survey")
        part("survey statistics", ["bench/survey_stats.py", size], size, results, failures)
    if "load" in only:
        mark("load")
        seconds = str(s.load_seconds)
        part("public verification", ["bench/loadtest.py", size, "--seconds", seconds], size, results, failures)
    if "documents" in only:
        mark("documents")
        batch = "5" if size == "small" else "100"
        part("documents", ["bench/documents.py", size, "--batch", batch], size, results, failures)
    if "imports" in only:
        mark("imports")
        part("customer list import", ["bench/imports.py", size, "customers"], size, results, failures)
        part("legacy import", ["bench/imports.py", size, "legacy"], size, results, failures)
    if "sweep" in only:
        mark("sweep")
        part("daily sweep", ["bench/sweep.py", size], size, results, failures)
    # Last: walking five million entries in Python is the longest part.
    if "verify-log" in only:
        mark("verify-log")
        verify_log(size, results, failures)
    results["total_s"] = time.perf_counter() - started
    results["failures"] = failures
    (var_dir(size) / "results.json").write_text(json.dumps(results, default=str, indent=1))

    write(results, out)
    print(f"results: {out} ({results['total_s']:.0f} s)", flush=True)
    for failure in failures:
        print(f"CRASHED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

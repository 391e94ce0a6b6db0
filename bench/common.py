"""Shared settings of the benchmarks: sizes, database names, the environment every child process gets."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CERTFLOW = str(ROOT / ".venv" / "bin" / "certflow")
PG = "postgres://postgres@127.0.0.1:5432/"
# The only two databases the benchmarks may create, fill and drop.
DATABASES = {"small": "certflow_bench_small", "large": "certflow_bench"}


@dataclass(frozen=True)
class Size:
    name: str
    enterprises: int
    certificates: int
    audits: int
    nonconformities: int
    responses: int
    big_survey: int
    events: int
    import_customers: int
    import_legacy: int
    load_seconds: int


SIZES = {
    "small": Size("small", 200, 500, 1_500, 5_000, 20_000, 1_000, 50_000, 2_000, 200, 1),
    "large": Size("large", 20_000, 50_000, 150_000, 500_000, 2_000_000, 100_000, 5_000_000, 200_000, 50_000, 10),
}


def database_url(size: str) -> str:
    return PG + DATABASES[size]


def var_dir(size: str) -> Path:
    """Secret key, signing key, media and mail of one bench database (kept out of the project's var/)."""
    path = BENCH / ".var" / size
    path.mkdir(parents=True, exist_ok=True)
    return path


def child_env(size: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(size),
            "SECRET_KEY": "bench-not-a-secret",
            "CERTFLOW_VAR_DIR": str(var_dir(size)),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            "EMAIL_MODE": "memory",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # Staff pages are measured through force_login: the second factor is not what is timed.
            "CERTFLOW_OTP_REQUIRED_FOR_STAFF": "0",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def setup_django(size: str) -> None:
    os.environ.update(child_env(size))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run(cmd: list[str], size: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=child_env(size), cwd=ROOT, check=True, **kwargs)


@contextmanager
def timed(label: str, into: dict | None = None):
    start = time.perf_counter()
    yield
    took = time.perf_counter() - start
    if into is not None:
        into[label] = took
    print(f"  [{took:7.2f} s] {label}", flush=True)

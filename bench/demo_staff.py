"""The staff step of `certflow demo` alone (accounts: staff users, their roles, demo enterprises).

The small bench set is built inside CI's time budget; the full demo takes most of it on two cores.
"""

import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402

if __name__ == "__main__":
    setup_django(sys.argv[1])
    from django.db import transaction

    from certflow.accounts import demo

    with transaction.atomic():
        demo.seed(StringIO())

"""Settings for the end-to-end scenarios (e2e/): the real settings on a clock the scenario moves.

Used by ``./dev e2e`` for the server it starts and for the commands it runs; never in production.
"""

import os

if not os.environ.get("CERTFLOW_E2E_CLOCK_FILE"):
    raise RuntimeError("config.e2e_settings needs CERTFLOW_E2E_CLOCK_FILE (set by e2e/conftest.py)")

from certflow.core.testing import e2e_clock  # noqa: E402
from config.settings import *  # noqa: E402,F403

MIDDLEWARE = ["certflow.core.testing.e2e_clock.ClockMiddleware", *MIDDLEWARE]  # noqa: F405
e2e_clock.sync()

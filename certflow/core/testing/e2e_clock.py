"""A clock the end-to-end scenarios move: the whole process runs at real time plus an offset.

A certificate's life spans a year (notice periods, survey, decision, surveillance windows), and a
browser scenario walks it in minutes. The scenario writes the offset in seconds to the file named by
``CERTFLOW_E2E_CLOCK_FILE``; the server re-reads it before each request and every management command
reads it at start-up, so the pages, the API and ``certflow tick`` agree on the date. ``time-machine``
moves ``time.time`` and ``datetime.now`` for the whole process (so model defaults bound to
``timezone.now`` move too) and leaves ``time.monotonic`` alone (gunicorn's worker heartbeat uses it).

Only ``config.e2e_settings`` installs this; the real settings never do.
"""

import os
import time
from pathlib import Path

import time_machine

_state = {"mtime": None, "traveller": None}


def _clock_file() -> Path:
    return Path(os.environ["CERTFLOW_E2E_CLOCK_FILE"])


def sync() -> None:
    """Travel to real time + the offset in the clock file, if the file changed since the last call."""
    path = _clock_file()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        mtime = None
    if mtime == _state["mtime"]:
        return
    if _state["traveller"] is not None:
        _state["traveller"].stop()
        _state["traveller"] = None
    _state["mtime"] = mtime
    if mtime is None:
        return
    offset = float(path.read_text().strip() or 0)
    real_now = time.time()  # no traveller is running here, so this is the real clock
    traveller = time_machine.travel(real_now + offset, tick=True)
    traveller.start()
    _state["traveller"] = traveller


class ClockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sync()
        return self.get_response(request)

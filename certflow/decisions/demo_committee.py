"""Demo step of the people: the technical committee's three logins (clause 6 认证决定).

The scheme's committee sits with a quorum of three, so a world of people only (``certflow demo
--people-only``: the browser scenarios, a training course) needs three members before any decision can
be made. The full demo gets them from certflow.decisions.demo, which uses the same function.
"""

from certflow.decisions.demo import COMMITTEE, _committee


def seed(stdout) -> list[tuple[str, str]]:
    _committee()
    stdout.write(f"  技术委员会：{'、'.join(name for _, name in COMMITTEE)}")
    return [(email, "技术委员会委员 · 认证决定") for email, _ in COMMITTEE[1:]]

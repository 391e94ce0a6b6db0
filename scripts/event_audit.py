"""Join the events each request wrote (CERTFLOW_EVENT_AUDIT, certflow/core/testing/event_audit.py) with
the permission matrix's writes (certflow/core/policy.py) and report every write route whose successful
requests did not write exactly one event.

    CERTFLOW_EVENT_AUDIT=/tmp/ev ./dev test && .venv/bin/python scripts/event_audit.py /tmp/ev

Exit 1 when a state-changing write route was seen succeeding with other than one event, or never seen
succeeding at all; routes that change no certification record are declared in NOT_RECORDED with the reason.
"""

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def load(folder: Path):
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def succeeded(record, is_api: bool) -> bool:
    status = record["status"]
    if record.get("refused"):
        return False
    if is_api:
        return 200 <= status < 300
    # A page's form posts and redirects on success (303/302); a 200 re-renders the form with its errors,
    # except for htmx fragments, which count when they wrote something.
    return status in (301, 302, 303) or (status == 200 and record["events"] > 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print the table for docs/assurance.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from certflow.core import policy

    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record in load(args.folder):
        name = record["route"].rsplit(":", 1)[-1]
        write = name in policy.POLICY and record["method"] in WRITE_METHODS
        if write and succeeded(record, name in policy.API):
            seen[(name, record["method"])].append(record["events"])
    writes = [
        (name, method) for name, rule in sorted(policy.POLICY.items()) for method in WRITE_METHODS if rule.get(method)
    ]
    exact, other, unseen, exempt = [], [], [], []
    for cell in writes:
        counts = seen.get(cell, [])
        if cell[0] in policy.NOT_RECORDED:
            exempt.append((cell, counts))
        elif not counts:
            unseen.append(cell)
        elif set(counts) == {1}:
            exact.append((cell, counts))
        else:
            other.append((cell, counts))
    print(
        f"write cells: {len(writes)}; exactly one event on every success: {len(exact)}; "
        f"other counts: {len(other)}; never seen succeeding: {len(unseen)}; declared not recorded: {len(exempt)}"
    )
    for (name, method), counts in other:
        print(f"  OTHER   {method:6} {name:45} events per success: {sorted(set(counts))} ({len(counts)} requests)")
    for name, method in unseen:
        print(f"  UNSEEN  {method:6} {name}")
    for (name, method), counts in exempt:
        print(f"  EXEMPT  {method:6} {name:45} {policy.NOT_RECORDED[name]} (events seen: {sorted(set(counts))})")
    return 1 if other or unseen else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())

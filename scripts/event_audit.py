"""Join the events and the record writes of each request (CERTFLOW_EVENT_AUDIT,
certflow/core/testing/event_audit.py) with the permission matrix's writes (certflow/core/policy.py): every
request that changed the certification record must have written its event in the same transaction.

    CERTFLOW_EVENT_AUDIT=/tmp/ev ./dev test && .venv/bin/python scripts/event_audit.py /tmp/ev

A request "changed the record" when it was not refused and wrote a row to a certification table (sessions,
sign-in counters, notifications and the event log itself are not the record). It must have written exactly one
event, or at least one on a route declared in `policy.SEVERAL_RECORDS` (one request that changes several
records writes one event per record). Exit 1 on any other count, on a write route never seen changing the
record unless it is listed in `policy.EVENT_AUDIT_NOT_EXERCISED`, and on a listed route that is now exercised
(the list must shrink as tests are added). Routes that change no certification record are `NOT_RECORDED`.
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
    """Not refused, and wrote to the certification record."""
    if record.get("refused") or not record.get("tables"):
        return False
    status = record["status"]
    return 200 <= status < 300 if is_api else status < 400


def apart(record) -> str:
    """Why the request's events were not written with its changes, or "" when they were: every transaction
    the request opened that wrote the record wrote an event, and nothing of the record was written outside
    a transaction (decisions LG10)."""
    for name, writes, events in record.get("transactions", []):
        if not name and writes:
            return f"{writes} record write(s) outside any transaction"
        if name and writes and not events:
            return f"a transaction wrote {writes} record row(s) and no event"
    return ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from certflow.core import policy

    seen: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in load(args.folder):
        name = record["route"].rsplit(":", 1)[-1]
        write = name in policy.POLICY and record["method"] in WRITE_METHODS
        if write and succeeded(record, name in policy.API):
            seen[(name, record["method"])].append(record)
    writes = [
        (name, method) for name, rule in sorted(policy.POLICY.items()) for method in WRITE_METHODS if rule.get(method)
    ]
    good, wrong, split, unseen, exempt, now_seen = [], [], [], [], [], []
    for cell in writes:
        records = seen.get(cell, [])
        counts = sorted({r["events"] for r in records})
        several = cell[0] in policy.SEVERAL_RECORDS
        if cell[0] in policy.NOT_RECORDED:
            exempt.append((cell, counts))
        elif not records:
            if cell not in policy.EVENT_AUDIT_NOT_EXERCISED:
                unseen.append(cell)
        elif cell in policy.EVENT_AUDIT_NOT_EXERCISED:
            now_seen.append(cell)
        elif not ((several and min(counts) >= 1) or (not several and counts == [1])):
            bad = [r for r in records if (r["events"] < 1 if several else r["events"] != 1)]
            wrong.append((cell, counts, bad[0]))
        elif [r for r in records if apart(r)]:
            bad = [r for r in records if apart(r)]
            split.append((cell, apart(bad[0]), bad[0]))
        else:
            good.append((cell, len(records)))
    print(
        f"write cells: {len(writes)}; changed the record with the right events: {len(good)}"
        f" ({sum(n for _c, n in good)} requests); wrong event count: {len(wrong)}; events not in the change's"
        f" transaction: {len(split)}; not exercised (listed):"
        f" {len(policy.EVENT_AUDIT_NOT_EXERCISED)}; not exercised (unlisted): {len(unseen)}; declared not"
        f" recorded: {len(exempt)}"
    )
    for (name, method), counts, example in wrong:
        print(
            f"  WRONG   {method:6} {name:40} events per change: {counts}"
            f" (e.g. {example['events']} in {example['test']}, tables {example['tables']})"
        )
    for (name, method), why, example in split:
        print(f"  APART   {method:6} {name:40} {why} (e.g. in {example['test']}: {example['transactions']})")
    for name, method in unseen:
        print(f"  UNSEEN  {method:6} {name}: no test changes the record through it; add one or list it")
    for name, method in now_seen:
        print(f"  LISTED  {method:6} {name}: exercised now; remove it from EVENT_AUDIT_NOT_EXERCISED")
    for (name, method), counts in exempt:
        print(f"  EXEMPT  {method:6} {name:40} {policy.NOT_RECORDED[name]} (events seen: {counts})")
    return 1 if wrong or split or unseen or now_seen else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())

"""scripts/event_audit.py, the CI check of issue 10 item 4, fails when it should (decisions LG10)."""

import importlib.util
import json
from pathlib import Path

import pytest

from certflow.core import policy

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "event_audit.py"


@pytest.fixture
def audit(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("event_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(
        policy, "POLICY", {"one": {"POST": {"pm"}}, "many": {"POST": {"pm"}}, "quiet": {"POST": {"pm"}}}
    )
    monkeypatch.setattr(policy, "API", {})
    monkeypatch.setattr(policy, "NOT_RECORDED", {"quiet": "changes no record"})
    monkeypatch.setattr(policy, "SEVERAL_RECORDS", {"many": "several records"})
    monkeypatch.setattr(policy, "EVENT_AUDIT_NOT_EXERCISED", set())

    def run(*records):
        (tmp_path / "1.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
        return module.main([str(tmp_path)])

    return run


def request(route, events, tables=("applications_application",), status=302, refused=False, transactions=None):
    if transactions is None:  # by default the change and its events in one transaction
        transactions = [["s1_x1", len(tables), events]] if tables or events else []
    return {"route": route, "method": "POST", "status": status, "events": events, "tables": list(tables),
            "refused": refused, "test": "t", "transactions": transactions}  # fmt: skip


def test_one_event_per_change_and_several_where_declared_pass(audit):
    assert audit(request("one", 1), request("one", 0, tables=()), request("many", 3), request("quiet", 0)) == 0


def test_a_change_without_its_event_fails(audit, capsys):
    assert audit(request("one", 0), request("many", 2)) == 1
    assert "WRONG" in capsys.readouterr().out


def test_two_events_on_a_one_record_route_fail(audit):
    assert audit(request("one", 2), request("many", 1)) == 1


def test_a_route_never_driven_to_a_change_fails_unless_listed(audit, monkeypatch):
    # Refused requests and requests that wrote nothing do not count as changes.
    assert audit(request("one", 0, refused=True), request("many", 1)) == 1
    monkeypatch.setattr(policy, "EVENT_AUDIT_NOT_EXERCISED", {("one", "POST")})
    assert audit(request("many", 1)) == 0
    # Listed but exercised now: the list must shrink.
    assert audit(request("one", 1), request("many", 1)) == 1


def test_events_written_apart_from_the_change_fail(audit, capsys):
    # The record saved in one transaction, the event in a second one: a crash between them loses the event.
    apart = request("one", 1, transactions=[["s1_x1", 1, 0], ["s1_x2", 0, 1]])
    assert audit(apart, request("many", 1)) == 1
    assert "APART" in capsys.readouterr().out
    # The record written outside any transaction, the event inside one.
    outside = request("one", 1, transactions=[["", 1, 0], ["s1_x3", 0, 1]])
    assert audit(outside, request("many", 1)) == 1
    # Two transactions, each with its change and its event (a multi-file upload): fine.
    two = request("many", 2, transactions=[["s1_x4", 1, 1], ["s1_x5", 1, 1]])
    assert audit(request("one", 1), two) == 0

"""RuleViolation behaves as an exception everywhere it can travel."""

from contextlib import contextmanager

import pytest

from certflow.core.rules import RuleViolation


@contextmanager
def passing_through():
    yield


def test_a_rule_violation_passes_through_a_generator_context_manager_unchanged():
    # contextlib sets __traceback__ on the way out; a frozen exception turned this into a 500.
    with pytest.raises(RuleViolation) as exc, passing_through():
        raise RuleViolation("不行", "no", "refused")
    assert (exc.value.zh, exc.value.en, exc.value.code) == ("不行", "no", "refused")


def test_rule_violations_hash_by_identity_so_tracebacks_can_print_them():
    one, other = RuleViolation("a", "a"), RuleViolation("a", "a")
    assert one != other and len({one, other}) == 2

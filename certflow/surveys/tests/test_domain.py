"""Pure rules: transitions, call limits, masking, phone normalisation, allocation, the frame hash."""

import pytest

from certflow.core.rules import RuleViolation
from certflow.surveys import domain, sampling
from certflow.surveys.domain import A, S


def test_transitions_and_wrong_state():
    assert domain.check_transition(S.COLLECTING, A.DRAW) == S.DRAWN
    assert domain.check_transition(S.DRAWN, A.OPEN) == S.OPEN
    assert domain.status_after_close(True) == S.PASSED
    assert domain.status_after_close(False) == S.IMPROVEMENT_REQUIRED
    with pytest.raises(RuleViolation) as exc:
        domain.check_transition(S.OPEN, A.DRAW)
    assert exc.value.code == "wrong_state"
    with pytest.raises(RuleViolation):
        domain.check_transition(S.SUPERSEDED, A.ORDER_RESURVEY)


def test_list_locked_after_draw():
    domain.check_list_editable(S.COLLECTING)
    for status in (S.DRAWN, S.OPEN, S.PASSED):
        with pytest.raises(RuleViolation) as exc:
            domain.check_list_editable(status)
        assert exc.value.code == "list_locked"


def test_call_limit_and_final_outcomes():
    domain.check_may_call([], 3)
    domain.check_may_call(["no_answer", "no_answer"], 3)
    with pytest.raises(RuleViolation) as exc:
        domain.check_may_call(["no_answer"] * 3, 3)
    assert exc.value.code == "call_limit"
    for final in ("refused", "wrong_number", "answered"):
        with pytest.raises(RuleViolation) as exc:
            domain.check_may_call(["no_answer", final], 3)
        assert exc.value.code == "call_finished"


def test_masking():
    assert domain.mask_phone("13812345678") == "138****5678"
    assert domain.mask_phone("021-62345678") == "021*****5678"
    assert domain.mask_name("张晓燕") == "张**"
    assert domain.mask_name("李明") == "李*"
    assert domain.mask_email("zhang@example.com") == "z***@example.com"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("021-62345678", "021-62345678"),
        ("12345678901", None),
        ("1381234567", None),
        ("abc", None),
    ],
)
def test_phone_normalisation(raw, expected):
    assert domain.normalise_phone(raw) == expected


def test_allocation_is_proportional_with_largest_remainder():
    assert sampling.allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    # 7 · (5, 3, 2)/10 = 3.5, 2.1, 1.4 → 3, 2, 1 and one left: the largest remainder (a: .5)
    assert sampling.allocate({"a": 50, "b": 30, "c": 20}, 7) == {"a": 4, "b": 2, "c": 1}
    result = sampling.allocate({"big": 990, "tiny": 10}, 30)
    assert result == {"big": 29, "tiny": 1}  # 0.3 rounds to 0, but a non-empty stratum gets one
    assert sum(sampling.allocate({"a": 1000, "b": 999, "c": 1, "d": 0}, 371).values()) == 371


def test_allocation_never_exceeds_strata_and_sums_to_n():
    strata = {"a": 3, "b": 40, "c": 1, "d": 250}
    for n in range(0, sum(strata.values()) + 1, 7):
        result = sampling.allocate(strata, n)
        assert sum(result.values()) == n
        assert all(result[c] <= strata[c] for c in strata)


def test_allocation_too_small_for_every_stratum():
    # 2 units, 3 strata: no stratum can give one away without going to zero.
    assert sum(sampling.allocate({"a": 10, "b": 10, "c": 10}, 2).values()) == 2


def test_draw_is_reproducible_and_frame_sensitive():
    rows = [
        {
            "id": i,
            "category": "a",
            "phone": f"1390000{i:04d}",
            "name": "x",
            "email": "",
            "order_id": str(i),
            "order_date": None,
            "delivery_date": None,
        }
        for i in range(100)
    ]
    h1 = sampling.frame_sha256(rows)
    assert h1 == sampling.frame_sha256(list(rows))
    changed = [dict(r) for r in rows]
    changed[57]["name"] = "y"
    assert sampling.frame_sha256(changed) != h1
    first = sampling.draw_positions("seed", h1, {"a": 100}, {"a": 10})
    assert first == sampling.draw_positions("seed", h1, {"a": 100}, {"a": 10})
    assert first != sampling.draw_positions("other", h1, {"a": 100}, {"a": 10})
    assert len(set(first["a"])) == 10

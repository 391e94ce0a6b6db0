"""The decision from open to granted or refused, through the services (clause 6 认证决定 1–2)."""

import pytest

from certflow.applications.domain import ApplicationStatus
from certflow.certificates.domain import CertificateStatus
from certflow.decisions import services
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.tests.helpers import DECISION_DAY


def vote_all(decision, members, votes, reasoning="理由"):
    for user, vote in zip(members, votes, strict=True):
        services.opinion_record(
            by=user, decision=decision, vote=vote, reasoning=reasoning, impartial=True, today=DECISION_DAY
        )


def test_three_votes_for_grant_the_certificate_with_the_grade_from_the_scheme(seated, members, programme_manager):
    vote_all(seated, members, [Vote.GRANT] * 3)
    decision = services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    assert decision.status == DecisionStatus.GRANTED
    assert decision.certificate.status == CertificateStatus.VALID
    assert decision.certificate.issued_on == DECISION_DAY
    assert decision.grade_code == "five_star" and decision.certificate.grade_code == "five_star"
    decision.application.refresh_from_db()
    assert decision.application.status == ApplicationStatus.CERTIFIED
    assert decision.dossier["votes"] == {"for": 3, "against": 0, "quorum": 3}


def test_majority_against_refuses_with_a_notice(seated, members, programme_manager):
    vote_all(seated, members, [Vote.GRANT, Vote.REFUSE, Vote.REFUSE], reasoning="售后体系证据不足")
    decision = services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    assert decision.status == DecisionStatus.REFUSED and decision.certificate is None
    assert decision.notice_sha256 and decision.notice_size > 1000
    assert any("售后体系证据不足" in zh for zh, _en in decision.reasons)


def test_no_quorum_no_decision(seated, members, programme_manager):
    vote_all(seated, members[:2], [Vote.GRANT] * 2)
    with pytest.raises(services.RuleViolation) as exc:
        services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    assert exc.value.code == "no_quorum"

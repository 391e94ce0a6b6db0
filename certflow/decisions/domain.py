"""Rules of the certification decision (clause 6 认证决定 1–2), pure: facts in, reasons out.

The dossier service gathers `DossierFacts` from the records; these functions say whether a grant is
possible, who may sit on the committee and what the votes decide. Every refusal is a list of (zh, en)
reasons so the user, the refusal notice and the API all give the same explanation.
"""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.rules import RuleViolation

Reason = tuple[str, str]


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("审议中")
    GRANTED = "granted", _("批准认证")
    REFUSED = "refused", _("不予认证")


class Vote(models.TextChoices):
    GRANT = "grant", _("同意颁证")
    REFUSE = "refuse", _("不同意颁证")


class Finding(models.TextChoices):
    """What an item earned over both stages, as the scheme's grading counts it (entities.FINDINGS)."""

    CONFORMING = "conforming", _("符合")
    MINOR = "minor", _("一般不符合")
    MAJOR = "major", _("严重不符合")


# Programme managers and administrators run the decision; committee members sit on it.
RUNNER_ROLES = frozenset({"programme_manager", "administrator"})
MEMBER_ROLE = "technical_committee"


@dataclass(frozen=True)
class NonconformityFact:
    number: str
    stage: str
    item_id: str
    grade: str  # minor | major
    state: str  # open | action_submitted | returned | verified | plan_accepted
    due_date: date | None = None

    @property
    def closed(self) -> bool:
        return self.state == "verified"


@dataclass(frozen=True)
class SurveyFact:
    round: int
    answered: int
    satisfied: int
    passed: bool | None  # None: no answers yet (no result)
    share: Fraction | None = None
    interval: tuple[Fraction, Fraction] | None = None


@dataclass(frozen=True)
class DossierFacts:
    """Everything a grant depends on, read from the records of one application."""

    application_status: str
    review_passed: bool
    onsite_passed: bool
    nonconformities: tuple[NonconformityFact, ...]
    survey: SurveyFact | None
    # One finding per requirement item of the scheme (worst over both stages), or the items with no
    # result anywhere (then no score can be computed).
    findings: dict[str, str] = field(default_factory=dict)
    unrecorded_items: tuple[str, ...] = ()
    score: Fraction | None = None
    grade_code: str | None = None
    grade_name: tuple[str, str] | None = None
    lowest_grade: tuple[str, int] | None = None  # (zh name, min score) to explain a score too low


def worst_findings(items: tuple[str, ...], results: list[tuple[str, str]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Combine per-item results of every stage (conform/minor/major/not_applicable) into one finding per item.

    The worst result wins: a major nonconformity at either stage costs the item its weight even after
    it was corrected (the scheme's grading: "none with a major finding"). An item found not applicable
    everywhere loses nothing: the requirement does not apply to this enterprise (decisions CD4). An
    item no stage recorded is returned separately; the grade cannot be computed without it.
    """
    rank = {"not_applicable": 0, "conform": 1, "minor": 2, "major": 3}
    worst: dict[str, str] = {}
    for item, result in results:
        if result not in rank:
            continue  # unanswered
        if item not in worst or rank[result] > rank[worst[item]]:
            worst[item] = result
    to_finding = {"not_applicable": "conforming", "conform": "conforming", "minor": "minor", "major": "major"}
    findings = {item: to_finding[worst[item]] for item in items if item in worst}
    missing = tuple(item for item in items if item not in worst)
    return findings, missing


def grant_problems(
    facts: DossierFacts,
    *,
    survey_must_pass: bool,
    open_major_allowed: bool,
    open_minor_needs_accepted_plan: bool,
    pass_threshold: Fraction,
) -> list[Reason]:
    """Every reason the committee may not grant now (clause 6 认证决定 1; the scheme's grading gates)."""
    problems: list[Reason] = []
    if not facts.review_passed:
        problems.append(("文件审核尚未通过", "the document review has not passed"))
    if not facts.onsite_passed:
        problems.append(("现场审核尚未通过", "the on-site audit has not passed"))
    open_majors = [nc for nc in facts.nonconformities if nc.grade == "major" and not nc.closed]
    if open_majors and not open_major_allowed:
        numbers = "、".join(nc.number for nc in open_majors)
        problems.append(
            (
                f"存在未关闭的严重不符合项：{numbers}",
                f"major nonconformities are still open: {', '.join(nc.number for nc in open_majors)}",
            )
        )
    if open_minor_needs_accepted_plan:
        unplanned = [
            nc for nc in facts.nonconformities if nc.grade == "minor" and nc.state not in ("verified", "plan_accepted")
        ]
        if unplanned:
            problems.append(
                (
                    "一般不符合项尚无已接受的整改计划：" + "、".join(nc.number for nc in unplanned),
                    "minor nonconformities without an accepted correction plan: "
                    + ", ".join(nc.number for nc in unplanned),
                )
            )
    if survey_must_pass:
        problems.extend(_survey_problems(facts.survey, pass_threshold))
    if facts.unrecorded_items:
        problems.append(
            (
                "以下条款项在文件审核和现场审核中均无结果，无法评定等级：" + "、".join(facts.unrecorded_items),
                "no stage recorded a result for these items, so no grade can be given: "
                + ", ".join(facts.unrecorded_items),
            )
        )
    elif facts.score is not None and facts.grade_code is None:
        lowest_zh, lowest_min = facts.lowest_grade or ("", 0)
        problems.append(
            (
                f"评分 {percent(facts.score)} 分，低于最低等级“{lowest_zh}”的 {lowest_min} 分",
                f"the score {percent(facts.score)} is below the lowest grade's minimum of {lowest_min}",
            )
        )
    return problems


def _survey_problems(survey: SurveyFact | None, threshold: Fraction) -> list[Reason]:
    if survey is None or survey.passed is None:
        return [("尚无用户满意度调查结果", "there is no satisfaction-survey result yet")]
    if survey.passed:
        return []
    share = f"{float(survey.share) * 100:.1f}%" if survey.share is not None else "—"
    need = f"{float(threshold) * 100:.0f}%"
    return [
        (
            f"用户满意度 {share}（第 {survey.round} 轮），未达到 {need}",
            f"customer satisfaction {share} (round {survey.round}) is below {need}",
        )
    ]


def percent(score: Fraction) -> str:
    return f"{float(score):.1f}"


# --- opening --------------------------------------------------------------------------------------


def guard_open(*, application_status: str, overdue_nonconformities: int) -> None:
    """A decision opens when both stages passed; or, to refuse, when a correction deadline passed unmet
    (ISO/IEC 17021-1 9.5.3: the CB does not wait indefinitely for corrections)."""
    if application_status == "onsite_audit_passed":
        return
    if application_status in ("document_corrections", "onsite_corrections"):
        if overdue_nonconformities:
            return
        raise RuleViolation(
            "整改期限尚未届满：整改中的申请只有在整改逾期后才能提交认证决定（不予认证）",
            "corrections are still within their deadline: an application in corrections goes to a decision only "
            "once a deadline has passed (to refuse it)",
            "corrections_in_time",
        )
    raise RuleViolation(
        "只有现场审核通过（或整改逾期）的申请才能提交认证决定",
        "only an application whose on-site audit passed (or whose corrections are overdue) can go to a decision",
        "not_ready",
    )


# --- the committee --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    is_active: bool
    is_committee_member: bool
    reviewed_enterprise: tuple[str, ...] = ()  # application references the person reviewed
    audited_enterprise: tuple[str, ...] = ()  # audit references the person was on the team of
    conflict_reasons: tuple[str, ...] = ()  # declared conflicts with the enterprise, in force today
    already_member: bool = False


def member_problems(facts: MemberFacts, *, exclude_involved: bool) -> list[Reason]:
    """Why a person may not sit on this decision (ISO/IEC 17021-1 9.5.1.2; ISO/IEC 17065 7.6.2)."""
    problems: list[Reason] = []
    if not facts.is_active:
        problems.append(("该用户已停用", "the user is inactive"))
    if not facts.is_committee_member:
        problems.append(("该用户不是技术委员会委员", "the user is not a technical committee member"))
    if facts.already_member:
        problems.append(("该委员已在本次认证决定中", "already a member of this decision"))
    if exclude_involved:
        if facts.reviewed_enterprise:
            refs = "、".join(facts.reviewed_enterprise)
            problems.append(
                (
                    f"曾对该企业进行文件审核（{refs}）",
                    f"reviewed this enterprise's documents ({', '.join(facts.reviewed_enterprise)})",
                )
            )
        if facts.audited_enterprise:
            refs = "、".join(facts.audited_enterprise)
            problems.append(
                (f"曾参与该企业的审核（{refs}）", f"audited this enterprise ({', '.join(facts.audited_enterprise)})")
            )
        for reason in facts.conflict_reasons:
            problems.append(
                (f"已声明与该企业存在利益冲突：{reason}", f"declared a conflict with this enterprise: {reason}")
            )
    return problems


def check_member(facts: MemberFacts, *, exclude_involved: bool) -> None:
    problems = member_problems(facts, exclude_involved=exclude_involved)
    if problems:
        raise RuleViolation(
            "不能担任本次认证决定的委员：" + "；".join(zh for zh, _ in problems),
            "may not sit on this decision: " + "; ".join(en for _, en in problems),
            "member_excluded",
        )


# --- votes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    votes_for: int
    votes_against: int
    quorum: int

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against

    @property
    def quorate(self) -> bool:
        return self.cast >= self.quorum


def outcome(tally: Tally, approves) -> str:
    """GRANTED when the scheme's committee rule approves (`approves(for, cast)`), else REFUSED.

    Raises when the quorum is not reached: no decision can be taken by fewer members than the scheme asks.
    """
    if not tally.quorate:
        missing = tally.quorum - tally.cast
        raise RuleViolation(
            f"表决人数不足：需要至少 {tally.quorum} 名委员表决，还差 {missing} 名",
            f"no quorum: at least {tally.quorum} members must vote, {missing} more needed",
            "no_quorum",
        )
    return DecisionStatus.GRANTED if approves(tally.votes_for, tally.cast) else DecisionStatus.REFUSED


def guard_vote(vote: str, reasoning: str, grant_blockers: list[Reason]) -> None:
    """A member may not vote to grant what the preconditions forbid, and a vote against says why."""
    if vote not in Vote.values:
        raise RuleViolation(f"未知表决意见：{vote}", f"unknown vote: {vote}", "unknown_vote")
    if vote == Vote.GRANT and grant_blockers:
        raise RuleViolation(
            "不满足颁证条件，不能投同意票：" + "；".join(zh for zh, _ in grant_blockers),
            "the conditions for granting are not met: " + "; ".join(en for _, en in grant_blockers),
            "preconditions",
        )
    if vote == Vote.REFUSE and not reasoning.strip():
        raise RuleViolation("不同意颁证须说明理由", "a vote against must give its reasons", "reason_required")

"""Demo certification decisions (clause 6 认证决定), made through the services:

- 苏州姑苏 (its on-site audit passed in the audits demo): open — three members seated, two opinions in;
- 南京秦淮: granted — audit passed, survey passed, three votes for → a certificate with the grade from the
  dossier;
- 合肥庐州: refused — audit passed, survey below 80 %, three votes against with reasons → refusal notice.

Runs after certflow.audits.demo_conduct (苏州姑苏's audit), certflow.surveys.demo and certflow.certificates.demo
(whose enterprises it leaves alone). Adds two committee logins, so the scheme's quorum of three can sit.

Idempotent: an application that already has a decision is skipped. Dated back from the audits demo's
reference day (no later than 4 December 2026) so audit days fall in the years the holiday calendar covers.
"""

import random
from datetime import datetime, time

from django.utils import timezone

from certflow.accounts.demo import DEMO_PASSWORD
from certflow.accounts.models import User
from certflow.accounts.roles import StaffRole, UserKind
from certflow.accounts.services import role_grant, user_create
from certflow.accounts.uscc import check_character
from certflow.applications.models import Application
from certflow.audits.demo import LATEST_BASE
from certflow.audits.demo_conduct import PASSED as GUSU
from certflow.audits.demo_conduct import _backdate as _backdate_audit
from certflow.audits.demo_conduct import _closed, _started
from certflow.core.workdays.services import add_working_days, subtract_working_days
from certflow.decisions import services
from certflow.decisions.domain import Vote
from certflow.decisions.models import CommitteeMember, Decision, Opinion
from certflow.surveys import demo as survey_demo
from certflow.surveys import services as survey_services

MANAGER, CLERK, ADMIN = "manager@olis-cert.example", "clerk@olis-cert.example", "admin@olis-cert.example"
COMMITTEE = [
    ("committee@olis-cert.example", "技术委员 刘洋"),  # made by the accounts demo
    ("committee2@olis-cert.example", "技术委员 孙悦"),
    ("committee3@olis-cert.example", "技术委员 郑凯"),
]
GRANTED = (
    "南京秦淮定制家居有限公司",
    "91320104MA1XQ7L03",
    "江苏省南京市秦淮区中华路288号",
    "owner@qinhuai.example",
    "王雅琴",
)
REFUSED = (
    "合肥庐州定制家具有限公司",
    "91340103MA2TW5K06",
    "安徽省合肥市庐阳区阜南路66号",
    "owner@luzhou.example",
    "何建平",
)


def _committee() -> list[User]:
    admin = User.objects.get(email=ADMIN)
    members = []
    for email, name in COMMITTEE:
        user = User.objects.filter(email=email).first() or user_create(
            by=admin, email=email, full_name=name, password=DEMO_PASSWORD, kind=UserKind.CB_STAFF
        )
        if StaffRole.TECHNICAL_COMMITTEE not in user.roles:
            role_grant(by=admin, user=user, role=StaffRole.TECHNICAL_COMMITTEE)
            user.__dict__.pop("roles", None)
        members.append(user)
    return members


def _uscc(spec) -> str:
    return spec[1] + check_character(spec[1])


def _application(spec) -> Application | None:
    return Application.objects.filter(enterprise__uscc=_uscc(spec)).order_by("id").first()


def _audit_passed(spec, sent_on) -> Application | None:
    """A new demo enterprise through document review and an on-site audit that found nothing."""
    audit, days = _started(spec, sent_on=sent_on)
    if audit is not None:
        owner = User.objects.get(email=spec[3])
        _closed(audit, owner, days, findings={})
        _backdate_audit(audit, days)
    return _application(spec)


def _survey(application, *, seed: int, share: float) -> None:
    """A satisfaction survey run to its close through the surveys services (the surveys demo's steps)."""
    if application.surveys.exists():
        return
    clerk, manager = User.objects.get(email=CLERK), User.objects.get(email=MANAGER)
    survey = survey_demo._collect(application, clerk, seed, 120, ("定制家具",))
    dimensions = application.scheme_version.as_scheme().survey.dimension_codes
    tokens = survey_demo._open(survey, clerk)
    rng = random.Random(seed)
    comments = survey_demo.COMMENTS_GOOD if share > 0.8 else survey_demo.COMMENTS_BAD
    survey_demo._answer(rng, tokens[:60], dimensions, share, comments)
    survey_services.survey_close(by=manager, survey=survey)


def _backdate(decision: Decision, on) -> None:
    """The committee sat on `on`: move the record times there (the event log keeps the real times the demo was
    loaded, as in the audits demo; the frozen dossier keeps its own, so its recorded SHA-256 still matches)."""

    def at(hour, minute=0):
        return timezone.make_aware(datetime.combine(on, time(hour, minute)), timezone.get_default_timezone())

    Decision.objects.filter(pk=decision.pk).update(opened_at=at(9))
    Decision.objects.filter(pk=decision.pk, decided_at__isnull=False).update(decided_at=at(16))
    CommitteeMember.objects.filter(decision=decision).update(assigned_at=at(9, 30))
    CommitteeMember.objects.filter(decision=decision, impartiality_declared_at__isnull=False).update(
        impartiality_declared_at=at(14)
    )
    Opinion.objects.filter(decision=decision).update(recorded_at=at(14, 30))


def _decide(application, members, votes, *, on, conclude: bool) -> Decision | None:
    if application is None or application.status != "onsite_audit_passed":
        return None
    manager = User.objects.get(email=MANAGER)
    decision = services.decision_open(by=manager, application=application, today=on)
    for user in members:
        services.member_add(by=manager, decision=decision, user=user, today=on)
    for user, (vote, reasoning) in zip(members, votes, strict=False):
        services.opinion_record(by=user, decision=decision, vote=vote, reasoning=reasoning, impartial=True, today=on)
    if conclude:
        decision = services.decision_conclude(by=manager, decision=decision, today=on)
    _backdate(decision, on)
    return decision


def seed(stdout) -> list[tuple[str, str]]:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    base = min(today, LATEST_BASE)
    members = _committee()

    # Granted: audit about four months back, the committee sat three weeks later.
    application = _application(GRANTED)
    if application is None or not hasattr(application, "decision"):
        application = _audit_passed(GRANTED, subtract_working_days(base, 90))
        _survey(application, seed=201, share=0.93)
        _decide(
            application,
            members,
            [
                (Vote.GRANT, "文件审核、现场审核均无不符合项，满意度达标，同意按五星颁证。"),
                (Vote.GRANT, "同意。"),
                (Vote.GRANT, "同意颁证。"),
            ],
            on=subtract_working_days(base, 60),
            conclude=True,
        )

    # Refused: the survey fell short of 80 %, so nobody may vote to grant; the votes against give the reasons.
    application = _application(REFUSED)
    if application is None or not hasattr(application, "decision"):
        application = _audit_passed(REFUSED, subtract_working_days(base, 80))
        _survey(application, seed=202, share=0.55)
        _decide(
            application,
            members,
            [
                (Vote.REFUSE, "用户满意度未达到 80%，交付延期和售后响应慢的投诉集中，须整改后重新申请。"),
                (Vote.REFUSE, "满意度不达标。"),
                (Vote.REFUSE, "同意不予认证，建议企业完善售后服务体系后再申请。"),
            ],
            on=subtract_working_days(base, 45),
            conclude=True,
        )

    # Open: 苏州姑苏 (audit passed in the audits demo): survey passed, two of three opinions in.
    application = _application(GUSU)
    if application is not None and not hasattr(application, "decision"):
        _survey(application, seed=203, share=0.9)
        # The accounts demo's committee login (刘洋) is the one still to vote.
        _decide(
            application,
            [members[1], members[2], members[0]],
            [(Vote.GRANT, "现场审核未发现不符合项，同意颁证。"), (Vote.GRANT, "同意。")],
            on=add_working_days(subtract_working_days(base, 5), 1),
            conclude=False,
        )

    stdout.write("  认证决定：秦淮 批准认证；庐州 不予认证（已发通知书）；姑苏 审议中（2/3 委员已表决）")
    return [
        (COMMITTEE[0][0], "技术委员会委员 · 认证决定：姑苏 审议中，等待您的意见"),
        (COMMITTEE[1][0], "技术委员会委员 · 认证决定（已表决）"),
        (COMMITTEE[2][0], "技术委员会委员 · 认证决定"),
        (REFUSED[3], f"企业管理员 · {REFUSED[0]} · 不予认证，可下载通知书、重新申请"),
        (GRANTED[3], f"企业管理员 · {GRANTED[0]} · 已获证"),
    ]

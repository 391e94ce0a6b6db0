"""Demo document reviews: one in progress, one in corrections, one passed, one application awaiting its
reviewer. Idempotent: an enterprise that already has a review (or an application, for the last) is skipped.

The review in progress uses the accepted application of certflow.applications.demo (宁波巧手); the
others get enterprises and accepted applications of their own, made through the services.

The corrections scenario is placed in the past: its report date is chosen so both correction deadlines
fall in years whose holiday schedule is known (decisions W1, R4), and the record times of that scenario
are moved to match it. The event log keeps the times the demo was really loaded.
"""

import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from certflow.accounts.demo import DEMO_PASSWORD
from certflow.accounts.models import Enterprise, User
from certflow.accounts.services import enterprise_register, user_create
from certflow.accounts.uscc import check_character
from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application, Assignment
from certflow.core.schemes.registry import get_scheme
from certflow.core.workdays.services import CalendarDataMissing, add_working_days, is_working_day
from certflow.reviews import domain, services
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, DocumentReview, Nonconformity
from certflow.reviews.selectors import review_items, scheme_for

CLERK, AUDITOR, LEAD = "clerk@olis-cert.example", "auditor@olis-cert.example", "lead@olis-cert.example"

# (name, first 17 characters of the USCC, address, owner e-mail, owner name). Fictional companies.
IN_PROGRESS = (
    "宁波巧手定制家居有限公司",
    "91330212MA2H4P907",
    "浙江省宁波市鄞州区首南街道创业路18号",
    "owner@qiaoshou.example",
    "俞海波",
)
CORRECTIONS = (
    "厦门匠作定制橱柜有限公司",
    "91350206MA8RJ2K05",
    "福建省厦门市湖里区高林中路88号",
    "owner@jiangzuo.example",
    "陈思远",
)
PASSED = (
    "成都锦程定制服饰有限公司",
    "91510107MA6DGH406",
    "四川省成都市武侯区天府大道中段666号",
    "owner@jincheng.example",
    "李蓉",
)
AWAITING = (
    "青岛海木定制家具有限公司",
    "91370212MA3WQ7E07",
    "山东省青岛市崂山区株洲路151号",
    "owner@haimu.example",
    "王海",
)

NOTES = {
    "4.1-1": "组织架构图及岗位职责说明书齐全，设计、生产、质检、客服均有专职负责人。",
    "4.2-1": "《定制业务管理制度汇编》覆盖设计、生产、质检、安全、合同、客服六类制度。",
    "4.3-2": "营业执照在有效期内，经营范围包含定制商品的设计、生产与销售。",
    "4.4-1": "设备清单与业务范围匹配。",
}
FINDINGS = {
    "4.2-3": ("major", "未提供应急预案的演练记录；《生产安全事故应急预案》未覆盖设备故障和原材料短缺两类突发事件。"),
    "4.5-1": ("minor", "2025 年度培训计划已制定，但第三、四季度的培训签到及考核记录缺失。"),
}


def _pdf(title: str, line: str) -> io.BytesIO:
    from certflow.core.pdf import build_pdf, para

    return io.BytesIO(build_pdf([para(title, "title"), para(line)], title=title, subject="certflow demo"))


def _enterprise(spec) -> tuple[User, Enterprise]:
    name, body, address, email, person = spec
    owner = User.objects.filter(email=email).first() or user_create(
        by=None, email=email, full_name=person, password=DEMO_PASSWORD
    )
    uscc = body + check_character(body)
    enterprise = Enterprise.objects.filter(uscc=uscc).first() or enterprise_register(
        by=owner, name=name, uscc=uscc, address=address, contact_name=person, contact_phone="13700137000"
    )
    return owner, enterprise


def _accepted_application(owner, enterprise, clerk, received: date) -> Application:
    existing = enterprise.applications.filter(status=ApplicationStatus.ACCEPTED).order_by("id").first()
    if existing is not None:
        return existing
    application = application_services.application_create(by=owner, enterprise=enterprise, today=received)
    scheme = scheme_for(application)
    application_services.application_update_details(
        by=owner,
        application=application,
        categories=[scheme.scope.categories[0].code],
        service_stages=[stage.code for stage in scheme.scope.service_stages],
        service_description="定制商品的需求调研、方案设计、生产制造、质量检测、配送安装及售后服务。",
    )
    application_services.site_add(
        by=owner, application=application, kind="workshop", name="生产车间", address=enterprise.address
    )
    for material in scheme.materials:
        application_services.material_upload(
            by=owner,
            application=application,
            material=material.code,
            name=f"{material.name.zh}.pdf",
            data=_pdf(material.name.zh, f"{enterprise.name} · 演示材料"),
        )
    application_services.declaration_set(by=owner, application=application, made=True)
    application_services.application_submit(by=owner, application=application, today=received)
    return application_services.application_accept(by=clerk, application=application)


def _record(review: DocumentReview, reviewer: User, *, limit: int | None = None, findings: dict | None = None) -> None:
    files = {f.material: f for f in review.application.material_files.filter(withdrawn_at__isnull=True)}
    for index, item in enumerate(review_items(review.application)[:limit]):
        result, note = (findings or {}).get(item.id, ("conform", NOTES.get(item.id, "")))
        evidence = files.get("management_system_documents") if item.clause in ("4.2", "4.5") else None
        services.checklist_record(
            by=reviewer,
            review=review,
            item_id=item.id,
            result=result,
            note=note,
            evidence=evidence,
            evidence_page=index + 2 if evidence else None,
        )


def _report_date(today: date) -> date:
    """The latest day about five weeks back from which both correction deadlines can be computed."""
    scheme = get_scheme()
    for weeks in range(5, 60, 4):
        reported = today - timedelta(weeks=weeks)
        try:
            for grade in domain.NonconformityGrade.values:
                deadline = scheme.deadline(domain.correction_deadline_name(grade))
                domain.correction_due(
                    reported,
                    amount=deadline.amount,
                    unit=deadline.unit,
                    add_working_days=add_working_days,
                    is_working_day=is_working_day,
                )
        except CalendarDataMissing:
            continue
        return reported
    raise RuntimeError("no report date for which the holiday calendar covers the correction deadlines")


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def _place_in_time(review: DocumentReview, reported: date, major_action, minor_action) -> None:
    """Move the record times of the corrections scenario to its report date (see the module docstring)."""
    application = review.application
    Application.objects.filter(pk=application.pk).update(
        created_at=_at(reported - timedelta(days=16)),
        submitted_at=_at(reported - timedelta(days=14)),
        decided_at=_at(reported - timedelta(days=10)),
    )
    Assignment.objects.filter(application=application).update(assigned_at=_at(reported - timedelta(days=9)))
    ChecklistEntry.objects.filter(review=review).update(recorded_at=_at(reported - timedelta(days=2), 15))
    DocumentReview.objects.filter(pk=review.pk).update(
        assigned_at=_at(reported - timedelta(days=9)),
        started_at=_at(reported - timedelta(days=5)),
        completed_at=_at(reported, 16),
    )
    Nonconformity.objects.filter(review=review).update(raised_at=_at(reported, 16))
    CorrectiveAction.objects.filter(pk=major_action.pk).update(submitted_at=_at(reported + timedelta(days=26)))
    CorrectiveAction.objects.filter(pk=minor_action.pk).update(
        submitted_at=_at(reported + timedelta(days=12)), decided_at=_at(reported + timedelta(days=15), 14)
    )


def _corrections(owner: User, enterprise: Enterprise, clerk: User, auditor: User, today: date) -> None:
    reported = _report_date(today)
    application = _accepted_application(owner, enterprise, clerk, reported - timedelta(days=14))
    review = services.review_assign(by=clerk, application=application, reviewer=auditor)
    _record(review, auditor, findings=FINDINGS)
    review = services.review_complete(
        by=auditor,
        review=review,
        summary="企业文件化管理体系基本建立，制度覆盖定制业务主要环节。发现严重不符合 1 项（应急预案与演练）、"
        "一般不符合 1 项（培训记录），须在规定期限内整改并提交整改报告，经验证有效后方可安排现场审核。",
        today=reported,
    )
    major = Nonconformity.objects.get(review=review, grade="major")
    minor = Nonconformity.objects.get(review=review, grade="minor")
    returned = services.corrective_action_submit(
        by=owner,
        nonconformity=minor,
        cause_analysis="人事专员离职，培训档案交接遗漏。",
        correction="已补充第三、四季度培训签到表。",
        corrective_action="培训档案改由质量部统一归档。",
    )
    services.corrective_action_return(
        by=auditor,
        action=returned,
        comment="补充的签到表缺少考核成绩记录；请同时提供考核试卷或成绩汇总，并说明档案交接制度如何修订。",
    )
    waiting = services.corrective_action_submit(
        by=owner,
        nonconformity=major,
        cause_analysis="应急预案编制时仅参照通用模板，未结合定制橱柜生产特点识别设备故障、原材料短缺等风险；"
        "未建立演练计划。",
        correction="已修订《生产安全事故应急预案》，增加设备故障和原材料短缺两个专项处置方案，并组织一次演练。",
        corrective_action="建立年度应急演练计划（每半年至少一次），演练后评估并修订预案；由生产副总负责落实。",
        files=[("应急演练记录.pdf", _pdf("应急演练记录", "设备故障专项应急演练记录及评估报告"))],
    )
    _place_in_time(review, reported, waiting, returned)


def seed(stdout) -> list[tuple[str, str]]:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    clerk, auditor, lead = (User.objects.get(email=e) for e in (CLERK, AUDITOR, LEAD))

    def pending(spec) -> tuple[User, Enterprise, bool]:
        owner, enterprise = _enterprise(spec)
        return owner, enterprise, not DocumentReview.objects.filter(application__enterprise=enterprise).exists()

    owner, enterprise, todo = pending(IN_PROGRESS)
    if todo:
        application = _accepted_application(owner, enterprise, clerk, today - timedelta(days=7))
        review = services.review_assign(by=clerk, application=application, reviewer=auditor)
        _record(review, auditor, limit=9, findings={"4.2-2": ("minor", "设计规范文件未注明版本号及审批人。")})

    owner, enterprise, todo = pending(CORRECTIONS)
    if todo:
        _corrections(owner, enterprise, clerk, auditor, today)

    owner, enterprise, todo = pending(PASSED)
    if todo:
        application = _accepted_application(owner, enterprise, clerk, today - timedelta(days=10))
        review = services.review_assign(by=clerk, application=application, reviewer=lead)
        _record(review, lead)
        services.review_complete(
            by=lead,
            review=review,
            summary="文件审核未发现不符合项，文件化管理符合认证规范第 4 章要求，可安排现场审核。",
        )

    owner, enterprise = _enterprise(AWAITING)
    if not enterprise.applications.exists():
        _accepted_application(owner, enterprise, clerk, today - timedelta(days=3))

    return [
        (AUDITOR, "文件审核：巧手（审核中）、匠作（整改验证中）"),
        (LEAD, "文件审核：锦程（已通过）"),
        (CORRECTIONS[3], f"企业管理员 · {CORRECTIONS[0]} · 整改：1 项待验证、1 项被退回"),
        (PASSED[3], f"企业管理员 · {PASSED[0]} · 文件审核已通过"),
        (AWAITING[3], f"企业管理员 · {AWAITING[0]} · 已受理，待指派文件审核员"),
        (CLERK, "指派文件审核员：海木"),
    ]

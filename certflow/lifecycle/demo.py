"""Demo legacy certificates through the real importer, and complaints and appeals in several states.

Idempotent: skipped when a demo import already exists. Needs the accounts and certificates demo steps.
- one import refused (bad USCC, impossible date, duplicate number) — the row report shows the errors;
- one import of five legacy certificates on 2026-11-24: 杭州云裳 re-certified under A/0 on 2026-01-15, so its
  legacy certificate stays valid; four enterprises never re-certified — they lapse on import (from 2026-10-16);
- a public complaint just received, a complaint in progress with a special audit requested, a closed appeal;
- (seed_changes, its own idempotency) 深圳匠心's certificate reduced in scope on 2026-11-05 (delivery and
  installation outsourced, not audited) → a replacement with the same expiry; on it a change report awaiting
  assessment and one assessed "review at next surveillance"; a new demo enterprise 广州雅居 (owner@yaju.example)
  certified 2026-02-10 whose certificate is suspended by a major event it reported on 2026-11-18.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from certflow.accounts.models import Enterprise, User
from certflow.accounts.uscc import check_character
from certflow.certificates.models import Certificate
from certflow.lifecycle import cases
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import LegacyImport

MANAGER, ADMIN = "manager@olis-cert.example", "admin@olis-cert.example"
TODAY = date(2026, 11, 24)
HEADER = "证书编号,企业名称,统一社会信用代码,颁证日期,有效期至,申请日期,资质等级,认证范围"


def _uscc(first17: str) -> str:
    return first17 + check_character(first17)


GOOD = [
    (
        "OLS-DZ-2022-0088",
        "杭州云裳服饰定制有限公司",
        _uscc("91330110MA2KQ8R03"),
        "2023-03-01",
        "2027-02-28",
        "2025-09-20",
        "四星",
        "定制服装的设计、生产和售后服务",
    ),
    (
        "OLS-DZ-2023-0150",
        "佛山木韵家居有限公司",
        _uscc("91440604MA51WY011"),
        "2023-12-12",
        "2026-12-11",
        "",
        "三星",
        "定制家具的设计、生产和安装服务",
    ),
    (
        "OLS-DZ-2024-0007",
        "成都锦绣定制礼品有限公司",
        _uscc("91510104MA6CJX022"),
        "2024-01-18",
        "2027-01-17",
        "2026-10-20",
        "达标",
        "定制礼品的设计和生产",
    ),
    (
        "OLS-DZ-2024-0062",
        "青岛海匠橱柜有限公司",
        _uscc("91370212MA3QHJ033"),
        "2024-06-03",
        "2027-06-02",
        "",
        "四星",
        "定制橱柜的设计、生产、配送安装及售后服务",
    ),
    (
        "OLS-DZ-2024-0095",
        "苏州丝艺家纺有限公司",
        _uscc("91320508MA1XTY044"),
        "2024-09-09",
        "2027-09-08",
        "",
        "三星",
        "定制家纺产品的设计和生产",
    ),
]
BAD = [
    (
        "OLS-DZ-2023-0150",
        "佛山木韵家居有限公司",
        _uscc("91440604MA51WY011"),
        "2023-12-12",
        "2026-12-11",
        "",
        "三星",
        "定制家具",
    ),
    ("OLS-DZ-2023-0201", "广州某定制厂", "91440101MA5OOOOOO1", "2023-05-10", "2026-05-09", "", "三星", "定制家具"),
    ("OLS-DZ-2024-0300", "东莞某家居", _uscc("91441900MA4W7P055"), "2024-02-30", "2027-02-29", "", "三星", "定制家具"),
    ("OLS-DZ-2023-0150", "佛山木韵家居有限公司", _uscc("91440604MA51WY011"), "2023-12-12", "2026-12-11", "", "", ""),
]


def _csv(name: str, rows) -> SimpleUploadedFile:
    text = "\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def seed(stdout) -> list[tuple[str, str]]:
    _seed_legacy_and_cases(stdout)
    return seed_changes(stdout)


def _seed_legacy_and_cases(stdout) -> None:
    manager = User.objects.filter(email=MANAGER).first()
    admin = User.objects.filter(email=ADMIN).first()
    if manager is None or admin is None or LegacyImport.objects.filter(filename__startswith="demo-").exists():
        return
    legacy_import(by=manager, upload=_csv("demo-旧版证书-有错误.csv", BAD), today=TODAY)
    job = legacy_import(by=manager, upload=_csv("demo-旧版证书清单.csv", GOOD), today=TODAY)
    stdout.write(f"演示旧版证书 / demo legacy certificates: {job.rows_total} ({job.lapsed} lapsed)")

    jiangxin = Enterprise.objects.filter(uscc=_uscc("91440300MA5FJX012")).first()
    yunshang = Enterprise.objects.filter(uscc=_uscc("91330110MA2KQ8R03")).first()
    cases.complaint_receive(
        name="王女士",
        contact="139****0000",
        subject_text="深圳匠心",
        enterprise=jiangxin,
        description="全屋定制安装后三个月柜门开裂，多次联系售后未获处理，怀疑不符合售后服务承诺。",
        today=TODAY,
    )
    if yunshang is not None:
        complaint = cases.complaint_receive(
            name="陈先生",
            contact="chen@example.com",
            subject_text="杭州云裳",
            enterprise=yunshang,
            description="定制西装交付延期 40 天，面料与确认样不符。",
            today=date(2026, 11, 10),
        )
        cases.case_acknowledge(by=manager, case=complaint, today=date(2026, 11, 11))
        cases.case_assign(by=manager, case=complaint, handler=admin, today=date(2026, 11, 12))
        cases.case_request_special_audit(
            by=manager, case=complaint, reason="投诉涉及交付质量，安排特殊审核", today=date(2026, 11, 12)
        )
    zhipei_cert = Certificate.objects.filter(enterprise__uscc=_uscc("91441900MA4W7N504"), status="revoked").first()
    owner = User.objects.filter(email="owner@zhipei.example").first()
    if zhipei_cert is not None and owner is not None:
        appeal = cases.appeal_lodge(
            by=owner,
            enterprise=zhipei_cert.enterprise,
            certificate=zhipei_cert,
            contact="0769-8888 0000",
            description="撤销前整改材料已提交，请求复核撤销决定。",
            today=date(2026, 10, 8),
        )
        cases.case_assign(by=admin, case=appeal, handler=admin, today=date(2026, 10, 9))
        cases.case_decide(
            by=admin,
            case=appeal,
            outcome="rejected",
            today=date(2026, 10, 30),
            decision="经复核，整改材料提交时已超出暂停期，且未经验证，维持撤销决定。",
        )


YAJU = (
    "广州雅居定制家居有限公司",
    "91440101MA9Y8YJ01",
    "广东省广州市番禺区石楼镇定制家居产业园2号",
    "owner@yaju.example",
    "何文静",
)


def seed_changes(stdout) -> list[tuple[str, str]]:
    """Change reports, a scope reduction and a major event (issue 7, part 2). Skipped once a demo event exists."""
    from certflow.accounts.demo import DEMO_PASSWORD
    from certflow.accounts.services import enterprise_register, user_create
    from certflow.certificates import services as certificate_services
    from certflow.core.schemes.services import scheme_version_for
    from certflow.lifecycle import changes
    from certflow.lifecycle.models import MajorEvent

    manager = User.objects.filter(email=MANAGER).first()
    name, body, address, email, person = YAJU
    login = [(email, "企业管理员 · 广州雅居定制家居有限公司 · 证书因重大事件暂停")]
    if manager is None:
        return []
    if MajorEvent.objects.filter(enterprise__uscc=_uscc(body)).exists():
        return login

    jiangxin = Certificate.objects.filter(
        enterprise__uscc=_uscc("91440300MA5FJX012"), is_legacy=False, status="valid"
    ).first()
    owner_jx = User.objects.filter(email="owner@jiangxin.example").first()
    if jiangxin is not None and owner_jx is not None and "delivery_installation" in jiangxin.scope_services:
        reduced = certificate_services.certificate_reduce_scope(
            by=manager,
            certificate=jiangxin,
            categories=list(jiangxin.scope_categories),
            services=[s for s in jiangxin.scope_services if s != "delivery_installation"],
            reason="配送安装已整体外包，监督审核未能覆盖该环节，按规定从认证范围中删除",
            today=date(2026, 11, 5),
        )
        assessed = changes.change_report_submit(
            by=owner_jx,
            certificate=reduced,
            kind="key_personnel",
            description="质量负责人由张伟变更为李娜（原生产部经理，具 8 年定制家具质检经验）。",
            effective_on=date(2026, 11, 1),
            today=date(2026, 11, 8),
        )
        changes.change_report_assess(
            by=manager,
            report=assessed,
            assessment="review_at_next_surveillance",
            note="人员资格材料齐全，下次监督审核时核查质量职责交接与培训记录。",
            today=date(2026, 11, 12),
        )
        changes.change_report_submit(
            by=owner_jx,
            certificate=reduced,
            kind="equipment",
            description="新增五轴数控加工中心一台，替换旧封边机；板材开料工艺相应调整。",
            effective_on=date(2026, 12, 1),
            today=date(2026, 11, 22),
        )

    owner = User.objects.filter(email=email).first() or user_create(
        by=None, email=email, full_name=person, password=DEMO_PASSWORD
    )
    enterprise = Enterprise.objects.filter(uscc=_uscc(body)).first() or enterprise_register(
        by=owner, name=name, uscc=_uscc(body), address=address, contact_name=person, contact_phone="13800138000"
    )
    issuer = User.objects.filter(email="committee@olis-cert.example").first() or manager
    certificate = certificate_services.certificate_issue(
        by=issuer,
        enterprise=enterprise,
        scheme_version=scheme_version_for(),
        grade_code="three_star",
        scope={"categories": ["custom_furniture"], "services": ["solution_design", "manufacturing", "after_sales"]},
        issued_on=date(2026, 2, 10),
        today=date(2026, 2, 10),
    )
    changes.major_event_record(
        by=owner,
        certificate=certificate,
        kind="quality_failure",
        description="2026 年 11 月市场监管部门抽检，一批衣柜板材甲醛释放量超标，已召回 36 套。",
        occurred_on=date(2026, 11, 15),
        today=date(2026, 11, 18),
    )
    stdout.write("演示重大变更与重大事件 / demo change reports and a major event")
    return login

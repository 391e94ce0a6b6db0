"""Demo legacy certificates through the real importer, and complaints and appeals in several states.

Idempotent: skipped when a demo import already exists. Needs the accounts and certificates demo steps.
- one import refused (bad USCC, impossible date, duplicate number) — the row report shows the errors;
- one import of five legacy certificates on 2026-11-24: 杭州云裳 re-certified under A/0 on 2026-01-15, so its
  legacy certificate stays valid; four enterprises never re-certified — they lapse on import (from 2026-10-16);
- a public complaint just received, a complaint in progress with a special audit requested, a closed appeal.
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
    manager = User.objects.filter(email=MANAGER).first()
    admin = User.objects.filter(email=ADMIN).first()
    if manager is None or admin is None or LegacyImport.objects.filter(filename__startswith="demo-").exists():
        return []
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
    return []

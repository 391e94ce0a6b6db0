"""Demo certificates, one in every status, issued and changed through the services.

Idempotent: an enterprise that already has a certificate is skipped. The demo enterprises come from
the accounts and reviews demo steps. Dates lie in 2023–2026; the legacy scheme name is fictional.

- 深圳匠心: a legacy certificate (2023) replaced by an A/0 certificate (2026-08-20) → superseded + valid
- 杭州云裳: A/0 (2026-01-15), suspended 2026-11-20 after a surveillance audit
- 东莞智配: A/0 (2025-12-10), suspended 2026-07-08, revoked 2026-09-30
- 厦门匠作: legacy (2023-06-01, to 2026-06-01) → expired
- 宁波巧手: legacy (2024-04-08) not re-certified by 2026-10-15 → lapsed
"""

from datetime import date

from certflow.accounts.models import Enterprise, User
from certflow.accounts.uscc import check_character
from certflow.certificates import services
from certflow.certificates.models import Certificate
from certflow.core.schemes.services import scheme_version_for

MANAGER, COMMITTEE = "manager@olis-cert.example", "committee@olis-cert.example"
LEGACY_SCHEME = ("CTS OLS/GZ-0056-2022", "A/0")  # fictional earlier scheme, for the demo only
FULL_SCOPE = [
    "requirements_research",
    "solution_design",
    "manufacturing",
    "quality_inspection",
    "delivery_installation",
    "after_sales",
]


def _enterprise(first17: str):
    return Enterprise.objects.filter(uscc=first17 + check_character(first17)).first()


def _legacy(by, enterprise, number, issued_on, expires_on, scope, grade=("three_star", "三星", "Three-star")):
    return services.legacy_certificate_create(
        by=by,
        enterprise=enterprise,
        number=number,
        scheme_code=LEGACY_SCHEME[0],
        scheme_version_label=LEGACY_SCHEME[1],
        grade_code=grade[0],
        grade_name=grade[1],
        grade_name_en=grade[2],
        scope_text=scope,
        issued_on=issued_on,
        expires_on=expires_on,
        today=date(2026, 11, 24),
    )


def seed(stdout) -> list[tuple[str, str]]:
    manager = User.objects.filter(email=MANAGER).first()
    committee = User.objects.filter(email=COMMITTEE).first()
    if manager is None or committee is None:
        return []
    version = scheme_version_for()

    def fresh(first17):
        enterprise = _enterprise(first17)
        return (
            enterprise
            if enterprise is not None and not Certificate.objects.filter(enterprise=enterprise).exists()
            else None
        )

    def issue(enterprise, issued_on, grade, categories, services_, supersedes=None):
        return services.certificate_issue(
            by=committee,
            enterprise=enterprise,
            scheme_version=version,
            grade_code=grade,
            scope={"categories": categories, "services": services_},
            issued_on=issued_on,
            supersedes=supersedes,
            today=issued_on,
        )

    made = 0
    if jiangxin := fresh("91440300MA5FJX012"):
        old = _legacy(
            manager,
            jiangxin,
            "OLS-DZ-2023-0112",
            date(2023, 11, 6),
            date(2026, 11, 5),
            "定制家具（全屋定制）的设计、生产和安装服务",
        )
        issue(jiangxin, date(2026, 8, 20), "four_star", ["custom_furniture"], FULL_SCOPE, supersedes=old)
        made += 2
    if yunshang := fresh("91330110MA2KQ8R03"):
        cert = issue(
            yunshang,
            date(2026, 1, 15),
            "five_star",
            ["custom_apparel"],
            ["requirements_research", "solution_design", "manufacturing", "after_sales"],
        )
        services.certificate_suspend(
            by=manager,
            certificate=cert,
            today=date(2026, 11, 20),
            reason="监督审核发现严重不符合项（4.3.2-3 交付质量），须在 30 日内完成整改并经验证。",
        )
        made += 1
    if zhipei := fresh("91441900MA4W7N504"):
        cert = issue(
            zhipei,
            date(2025, 12, 10),
            "compliant",
            ["custom_electronic_accessories"],
            ["solution_design", "manufacturing", "quality_inspection"],
        )
        services.certificate_suspend(
            by=manager, certificate=cert, today=date(2026, 7, 8), reason="发生产品质量事故，暂停证书待调查。"
        )
        services.certificate_revoke(
            by=manager, certificate=cert, today=date(2026, 9, 30), reason="暂停期内未完成整改，撤销证书。"
        )
        made += 1
    if jiangzuo := fresh("91350206MA8RJ2K05"):
        cert = _legacy(
            manager,
            jiangzuo,
            "OLS-DZ-2023-0047",
            date(2023, 6, 1),
            date(2026, 6, 1),
            "定制橱柜的设计、生产、配送安装及售后服务",
        )
        services.certificate_expire(by=manager, certificate=cert, today=date(2026, 6, 2))
        made += 1
    if qiaoshou := fresh("91330212MA2H4P907"):
        cert = _legacy(
            manager, qiaoshou, "OLS-DZ-2024-0031", date(2024, 4, 8), date(2027, 4, 7), "定制家具的设计、生产和销售服务"
        )
        services.certificate_lapse(by=None, certificate=cert, today=date(2026, 10, 16))
        made += 1
    if made:
        stdout.write(f"演示证书 / demo certificates: {made}")
    return []

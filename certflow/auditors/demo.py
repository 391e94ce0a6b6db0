"""Demo step of the auditor register: the demo auditors registered, plus three more to show every refusal.

Idempotent: a person already in the register is left as he is. Everything goes through the services,
so the event log tells the same story as the pages.
"""

from datetime import date

from django.utils import timezone

from certflow.accounts.demo import DEMO_PASSWORD
from certflow.accounts.models import Enterprise, User
from certflow.accounts.roles import StaffRole, UserKind
from certflow.accounts.services import role_grant, user_create
from certflow.auditors import services
from certflow.auditors.domain import AuditorLevel
from certflow.auditors.models import AuditorProfile
from certflow.auditors.selectors import category_catalogue

MANAGER = "manager@olis-cert.example"

# (email, name, roles, qualification number, level, valid from, valid until, categories or None for all)
PEOPLE = [
    (
        "lead@olis-cert.example",
        "审核组长 陈刚",
        [StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR],
        "OLS-CTS-L-2024-001",
        AuditorLevel.LEAD_AUDITOR,
        date(2024, 3, 1),
        date(2027, 2, 28),
        None,
    ),
    (
        "auditor@olis-cert.example",
        "审核员 王强",
        [StaffRole.AUDITOR],
        "OLS-CTS-A-2025-014",
        AuditorLevel.AUDITOR,
        date(2025, 1, 15),
        date(2028, 1, 14),
        ["custom_furniture", "custom_apparel"],
    ),
    (
        "zheng@olis-cert.example",
        "审核组长 郑洁",
        [StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR],
        "OLS-CTS-L-2025-003",
        AuditorLevel.LEAD_AUDITOR,
        date(2025, 6, 1),
        date(2028, 5, 31),
        ["custom_apparel", "custom_electronic_accessories"],
    ),
    (
        "sun@olis-cert.example",
        "审核员 孙悦",
        [StaffRole.AUDITOR],
        "OLS-CTS-A-2024-022",
        AuditorLevel.AUDITOR,
        date(2024, 1, 10),
        date(2027, 1, 9),
        ["custom_furniture"],
    ),
    (
        "wu@olis-cert.example",
        "审核员 吴昊",
        [StaffRole.AUDITOR],
        "OLS-CTS-A-2023-007",
        AuditorLevel.AUDITOR,
        date(2023, 10, 1),
        date(2026, 9, 30),
        ["custom_furniture", "custom_electronic_accessories"],
    ),
]

# Zheng Jie consulted for this enterprise: she may not audit it until the end of June 2027.
CONFLICT = (
    "zheng@olis-cert.example",
    "成都锦程定制服饰有限公司",
    date(2027, 6, 30),
    "2025年曾为该企业提供质量管理体系咨询服务（合同编号 ZX-2025-118）。",
)
# Sun Yue is on a training course in mid-December 2026.
UNAVAILABLE = [
    ("sun@olis-cert.example", date(2026, 12, 14), date(2026, 12, 18), "审核员继续教育培训"),
]
NEW_LOGINS = {"zheng@olis-cert.example", "sun@olis-cert.example", "wu@olis-cert.example"}


def _person(manager, email, name, roles) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(by=manager, email=email, full_name=name, password=DEMO_PASSWORD, kind=UserKind.CB_STAFF)
    for role in roles:
        role_grant(by=manager, user=user, role=role)
    return user


def seed(stdout) -> list[tuple[str, str]]:
    manager = User.objects.get(email=MANAGER)
    all_categories = list(category_catalogue())
    logins: list[tuple[str, str]] = []
    profiles: dict[str, AuditorProfile] = {}
    for email, name, roles, number, level, valid_from, valid_until, categories in PEOPLE:
        user = _person(manager, email, name, roles)
        profile = AuditorProfile.objects.filter(user=user).first()
        if profile is None:
            profile = services.profile_create(
                by=manager,
                user=user,
                qualification_number=number,
                level=level,
                valid_from=valid_from,
                valid_until=valid_until,
                notes="演示数据",
            )
            for category in categories or all_categories:
                services.competence_add(
                    by=manager, profile=profile, category=category, granted_on=valid_from, basis="专业能力评价记录"
                )
            stdout.write(f"  {number}  {name}")
            profiles[email] = profile
        if email in NEW_LOGINS:
            logins.append((email, f"{name} · 审核员注册演示"))

    today = timezone.localdate(timezone=timezone.get_default_timezone())
    email, enterprise_name, until, reason = CONFLICT
    enterprise = Enterprise.objects.filter(name=enterprise_name).first()
    if email in profiles and enterprise is not None and until >= today:
        services.conflict_declare(
            by=profiles[email].user, profile=profiles[email], enterprise=enterprise, until=until, reason=reason
        )
    for email, start, end, reason in UNAVAILABLE:
        # A period already over is refused by the service; a demo loaded later simply leaves it out.
        if email in profiles and end >= today:
            services.unavailability_add(
                by=profiles[email].user, profile=profiles[email], start=start, end=end, reason=reason
            )
    return logins

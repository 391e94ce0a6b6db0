"""Demo people: one CB user per staff role, and enterprises with their users.

Idempotent: running it twice leaves one of each. Later stages add their own demo steps.
"""

from base64 import b32encode
from binascii import unhexlify

from django_otp.plugins.otp_totp.models import TOTPDevice

from certflow.accounts.models import Enterprise, User
from certflow.accounts.roles import MembershipRole, StaffRole, UserKind
from certflow.accounts.services import enterprise_register, membership_add, role_grant, user_create
from certflow.accounts.uscc import check_character

DEMO_PASSWORD = "certflow-demo-2026"  # noqa: S105 - printed on purpose: it is the demo's login
# CB staff must pass a TOTP code (SEC1); the demo's staff share this published key so that a person can
# sign in with any authenticator app, or with `certflow demo_totp`, which prints the current code.
# Only the demo's own staff addresses get it (demo_second_factor.py, the last demo step).
DEMO_STAFF_DOMAIN = "@olis-cert.example"
DEMO_TOTP_KEY = b"certflow-demo-totp!!".hex()

STAFF = [
    ("admin@olis-cert.example", "系统管理员 周敏", [StaffRole.ADMINISTRATOR], True),
    ("clerk@olis-cert.example", "受理员 李静", [StaffRole.ACCEPTANCE_CLERK], False),
    ("auditor@olis-cert.example", "审核员 王强", [StaffRole.AUDITOR], False),
    ("lead@olis-cert.example", "审核组长 陈刚", [StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR], False),
    ("committee@olis-cert.example", "技术委员 刘洋", [StaffRole.TECHNICAL_COMMITTEE], False),
    ("manager@olis-cert.example", "方案管理 赵丽", [StaffRole.PROGRAMME_MANAGER], False),
]

# The first 17 characters of real-format codes; the check character is computed. Fictional companies.
ENTERPRISES = [
    (
        "深圳市匠心定制家居有限公司",
        "91440300MA5FJX012",
        "广东省深圳市宝安区福永街道定制产业园8栋",
        "owner@jiangxin.example",
        "黄志远",
    ),
    (
        "杭州云裳定制服饰有限公司",
        "91330110MA2KQ8R03",
        "浙江省杭州市余杭区仓前街道梦想小镇3号",
        "owner@yunshang.example",
        "沈佳怡",
    ),
    (
        "东莞智配电子配件有限公司",
        "91441900MA4W7N504",
        "广东省东莞市松山湖高新区工业南路6号",
        "owner@zhipei.example",
        "林晓峰",
    ),
]


def seed(stdout) -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    admin = User.objects.filter(email=STAFF[0][0]).first()
    for email, name, roles, is_staff in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(by=admin, email=email, full_name=name, password=DEMO_PASSWORD, kind=UserKind.CB_STAFF)
            if is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        admin = admin or user
        for role in roles:
            role_grant(by=admin, user=user, role=role)
        enrol_demo_authenticator(user)
        logins.append((email, " / ".join(str(StaffRole(r).label) for r in roles)))

    for name, body, address, owner_email, owner_name in ENTERPRISES:
        code = body + check_character(body)
        owner = User.objects.filter(email=owner_email).first() or user_create(
            by=None, email=owner_email, full_name=owner_name, password=DEMO_PASSWORD
        )
        enterprise = Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            enterprise = enterprise_register(
                by=owner,
                name=name,
                uscc=code,
                address=address,
                contact_name=owner_name,
                contact_phone="13800138000",
                contact_email=owner_email,
            )
        elif not enterprise.memberships.filter(user=owner, ended_at__isnull=True).exists():
            membership_add(by=admin, enterprise=enterprise, user=owner, role=MembershipRole.ADMIN)
        logins.append((owner_email, f"企业管理员 · {name}"))
    return logins


def demo_totp_secret() -> str:
    return b32encode(unhexlify(DEMO_TOTP_KEY)).decode().rstrip("=")


def enrol_demo_authenticator(user) -> None:
    if not user.email.endswith(DEMO_STAFF_DOMAIN):
        return
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)

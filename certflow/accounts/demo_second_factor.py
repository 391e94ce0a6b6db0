"""Last demo step: every demo CB staff member gets the demo's published authenticator key (SEC1).

Other steps create staff too (auditors, committee members), so this runs after all of them. Only
addresses of the demo's own domain are touched: a real person never receives a published key.
"""

from certflow.accounts.demo import DEMO_STAFF_DOMAIN, demo_totp_secret, enrol_demo_authenticator
from certflow.accounts.models import User
from certflow.accounts.roles import UserKind


def seed(stdout) -> list[tuple[str, str]]:
    for user in User.objects.filter(kind=UserKind.CB_STAFF, email__endswith=DEMO_STAFF_DOMAIN):
        enrol_demo_authenticator(user)
    stdout.write(
        "认证机构人员登录后需输入二次验证码 / CB staff enter a second-factor code after the password.\n"
        f"  身份验证器密钥 / authenticator key: {demo_totp_secret()}\n"
        "  或运行 / or run `certflow demo_totp` 获取当前验证码 / for the current code"
    )
    return []

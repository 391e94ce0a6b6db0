"""`certflow demo_totp`: the current second-factor code of the demo's CB staff (their shared, published key)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from certflow.accounts.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff accounts. 演示账号的当前二次验证码。"

    def handle(self, *args, **options):
        # Only the published demo key: this command must never become a way to read a real person's code.
        if not TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).exists():
            raise CommandError(
                "没有使用演示密钥的账号；请先运行 `certflow demo` / no demo accounts: run `certflow demo`"
            )
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        left = totp.step - int(time.time() - totp.t0) % totp.step
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"{left} 秒内有效，每个账号每个验证码只能用一次 / valid {left}s more, once per account")

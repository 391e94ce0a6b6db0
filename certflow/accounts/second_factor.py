"""The TOTP second factor (django-otp): who owes a code, enrolment, verification and the recovery reset.

Rules (docs/decisions.md SEC1-SEC4): CB staff must have a confirmed authenticator and
pass its code after the password; enterprise users may enrol and, once enrolled, always pass it. A code
is accepted once: django-otp's TOTPDevice keeps the last time step used (last_t) and refuses it again.
"""

from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from certflow.accounts.models import User
from certflow.accounts.roles import StaffRole
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation

# Set at sign-in, so that a page request need not ask the database whether the user has a device.
SESSION_HAS_DEVICE = "certflow_otp_has_device"
DEVICE_NAME = "authenticator"

VERIFY = "verify"
ENROL = "enrol"


def second_factor_due(*, verified: bool, has_device: bool, is_cb_staff: bool, required_for_staff: bool) -> str | None:
    """What a signed-in user still owes before reaching a page: VERIFY, ENROL or nothing."""
    if verified:
        return None
    if has_device:
        return VERIFY
    if is_cb_staff and required_for_staff:
        return ENROL
    return None


def clean_code(code: str) -> str:
    """Authenticator apps show '123 456'; people type it with the space or paste it with a line break."""
    return "".join((code or "").split())


def confirmed_devices(user: User):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_confirmed_device(user: User) -> bool:
    return confirmed_devices(user).exists()


def required_for(user: User) -> bool:
    return user.is_cb_staff and settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF


def remember_device_state(request, user: User) -> bool:
    has_device = has_confirmed_device(user)
    request.session[SESSION_HAS_DEVICE] = has_device
    return has_device


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; the same one on every reload so the QR code stays put."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32 in groups of four."""
    secret = b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here: the secret never leaves the server."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, light="#fff", title="QR")


def _accepts(device: TOTPDevice, code: str) -> bool:
    if not code.isdigit():
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise RuleViolation(
            "验证码错误次数过多，请稍等片刻再试。",
            "Too many wrong codes: wait a moment and try again.",
            "otp_throttled",
        )
    # verify_token records last_t (a code is good once) and the failure count behind the throttle.
    return device.verify_token(code)


def check_code(user: User, code: str) -> TOTPDevice:
    """The confirmed device that accepts `code`, or RuleViolation."""
    code = clean_code(code)
    with transaction.atomic():
        for device in confirmed_devices(user).select_for_update():
            if _accepts(device, code):
                return device
    raise RuleViolation(
        "验证码不正确或已使用过，请输入身份验证器上当前显示的 6 位数字。",
        "The code is wrong or was already used: enter the 6 digits your authenticator shows now.",
        "otp_invalid",
    )


def mark_verified(request, device: TOTPDevice) -> None:
    """The session has passed the second factor: a new session key, as after any rise in privilege."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[SESSION_HAS_DEVICE] = True


def enrol_confirm(request, code: str) -> TOTPDevice:
    user = request.user
    if has_confirmed_device(user):
        raise RuleViolation(
            "您已绑定身份验证器；如需更换，请联系系统管理员重置。",
            "You already have an authenticator; ask an administrator to reset it to change it.",
            "otp_already_enrolled",
        )
    code = clean_code(code)
    with transaction.atomic():
        device = pending_device(user)
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not _accepts(device, code):
            raise RuleViolation(
                "验证码不正确：请确认已扫描本页的二维码，并输入当前显示的 6 位数字。",
                "The code is wrong: scan this page's QR code and enter the 6 digits shown now.",
                "otp_invalid",
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        record_event(
            actor=user, action="user.second_factor_enrolled", target=user, after={"device": device.persistent_id}
        )
    mark_verified(request, device)
    return device


def reset(*, by: User, user: User, reason: str = "") -> int:
    """Recovery when a person loses the authenticator: remove it (and API tokens got with it)."""
    if not by.has_role(StaffRole.ADMINISTRATOR):
        raise RuleViolation(
            "只有系统管理员可以重置二次验证。",
            "Only an administrator can reset a second factor.",
            "forbidden",
        )
    if by.pk == user.pk:
        raise RuleViolation(
            "不能重置自己的二次验证，请由另一位系统管理员操作。",
            "You cannot reset your own second factor: another administrator must do it.",
            "otp_self_reset",
        )
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed"))
        if not any(confirmed for _, confirmed in devices):
            raise RuleViolation(
                "该用户尚未绑定身份验证器，无需重置。",
                "This user has no authenticator to reset.",
                "otp_no_device",
            )
        TOTPDevice.objects.filter(user=user).delete()
        # A token obtained with the lost authenticator must not outlive it.
        tokens = Token.objects.filter(user=user).delete()[0]
        record_event(
            actor=by,
            action="user.second_factor_reset",
            target=user,
            before={"devices": len(devices)},
            after={"api_tokens_revoked": tokens, "at": timezone.now().isoformat()},
            reason=reason,
        )
    return len(devices)

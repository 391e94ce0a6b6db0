"""Pages about people and enterprises: sign-in, enterprise list and detail, the enterprise user's home."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from certflow.accounts import second_factor, services
from certflow.accounts.forms import (
    EmailAuthenticationForm,
    EnterpriseRegistrationForm,
    OTPCodeForm,
    ResetSecondFactorForm,
    SearchForm,
)
from certflow.accounts.models import Membership, User
from certflow.accounts.permissions import get_enterprise_for_user
from certflow.accounts.roles import StaffRole
from certflow.accounts.selectors import enterprise_list as select_enterprises
from certflow.core.ratelimit import hit
from certflow.core.rules import RuleViolation

ENTERPRISES_PER_PAGE = 25


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # The page tells people the lockout rule that is really configured, not a number copied into text.
        return super().get_context_data(failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # The link points at the configured address of the site, never at whatever Host header the
        # request carried: a forged Host must not turn a reset mail into a link to someone else's server.
        self.extra_email_context = {"site_url": settings.CERTFLOW["SITE_URL"].rstrip("/")}
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        # The new password and its event land together (issue 10 item 4): the event says who and when, never
        # anything of the password.
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(user=form.user, how="change")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(user=form.user, how="reset")
        return response


# The services' messages are "中文 / English"; the form shows the reader's half beside the field.
REGISTRATION_FIELDS = {"email": "email", "contact_email": "email", "uscc": "uscc", "name": "name"}


def _half(message: str) -> str:
    zh, sep, en = str(message).partition(" / ")
    if not sep:
        return zh
    return zh if (get_language() or "zh").startswith("zh") else en


@require_http_methods(["GET", "POST"])
def register(request):
    """An enterprise registers itself: the enterprise (USCC checked) and its first user, its administrator."""
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        # A public form that creates accounts: a budget of submissions per address (decisions EE6).
        rate = settings.CERTFLOW_REGISTER_PAGE_RATE
        allowed, retry_after = hit(request, "register", rate, "CERTFLOW_REGISTER_PAGE_RATE")
        if not allowed:
            response = render(request, "rate_limited.html", {"retry_after": retry_after}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
    form = EnterpriseRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Both or neither: a refused enterprise must not leave an account without an enterprise behind.
            with transaction.atomic():
                user = services.user_create(
                    by=None,
                    email=data["email"],
                    full_name=data["contact_name"],
                    password=data["password1"],
                    phone=data["contact_phone"],
                )
                services.enterprise_register(
                    by=user,
                    name=data["name"],
                    uscc=data["uscc"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=user.email,
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(REGISTRATION_FIELDS.get(key), _half(error))
            else:
                # Password validators answer with a plain list of messages.
                for error in exc.messages:
                    form.add_error("password1", _half(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。现在可以新建认证申请。"))
            return redirect("enterprise_home")
    return render(request, "accounts/register.html", {"form": form})


def _current_members():
    # Enterprise administrators first ("admin" sorts before "member"), then by e-mail.
    return Membership.objects.filter(ended_at__isnull=True).select_related("user").order_by("role", "user__email")


@login_required
def enterprise_list(request):
    form = SearchForm(request.GET)
    search = form.search()
    page = Paginator(select_enterprises(request.user, search=search), ENTERPRISES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/enterprise_list.html", {"form": form, "search": search, "page": page})


@login_required
def enterprise_detail(request, pk: int):
    enterprise = get_enterprise_for_user(request.user, pk)
    members = _current_members().filter(enterprise=enterprise)
    return render(request, "accounts/enterprise_detail.html", {"enterprise": enterprise, "members": members})


@login_required
def enterprise_home(request):
    if request.user.is_cb_staff:
        raise PermissionDenied(_("此页面供企业用户使用；认证机构人员请使用工作台。"))
    # One query for the members of all the user's enterprises, people included.
    members = Prefetch("memberships", queryset=_current_members(), to_attr="current_members")
    enterprises = select_enterprises(request.user).prefetch_related(members)
    return render(request, "accounts/enterprise_home.html", {"enterprises": enterprises})


# --- second factor (docs/decisions.md SEC1-SEC4) -----------------------------------------


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(request, url_name: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}"


# Until the second factor is passed the page shows no navigation and no notification count: the
# password alone must not tell what the account can reach.
UNVERIFIED_CHROME = {"nav_items": [], "unread_notification_count": 0}


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of signing in: the authenticator's current code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not second_factor.remember_device_state(request, request.user):
        # No authenticator (any more, e.g. after an administrator's reset): staff enrol, others go on.
        if second_factor.required_for(request.user):
            return redirect(_with_next(request, "otp_enrol"))
        return redirect(_next_url(request))
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.check_code(request.user, form.cleaned_data["otp"])
        except RuleViolation as exc:
            form.add_error("otp", _message(exc))
        else:
            second_factor.mark_verified(request, device)
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), **UNVERIFIED_CHROME}
    return render(request, "registration/otp_verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Bind an authenticator: required for CB staff before any staff page, optional for enterprise users."""
    user = request.user
    if second_factor.has_confirmed_device(user):
        # Adding a second authenticator from a session that has not passed the first would defeat it.
        if not user.is_verified():
            return redirect(_with_next(request, "otp_verify"))
        messages.info(request, _("您已绑定身份验证器。"))
        return redirect("account_security")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.enrol_confirm(request, form.cleaned_data["otp"])
        except RuleViolation as exc:
            form.add_error("otp", _message(exc))
        else:
            messages.success(request, _("身份验证器已绑定。以后登录时，输入密码后还需输入验证码。"))
            return redirect(_next_url(request))
    device = second_factor.pending_device(user)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": second_factor.qr_svg(device),
        "secret": second_factor.secret_text(device),
        "required": second_factor.required_for(user),
    }
    if second_factor.required_for(user):
        context.update(UNVERIFIED_CHROME)
    return render(request, "accounts/otp_enrol.html", context)


@login_required
def account_security(request):
    """The user's own sign-in security: the second factor's state and where to enrol."""
    context = {
        "enrolled": second_factor.has_confirmed_device(request.user),
        "required": second_factor.required_for(request.user),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_second_factor(request, pk: int):
    """An administrator's recovery page: reset a person's lost authenticator (recorded as an event)."""
    if not request.user.has_role(StaffRole.ADMINISTRATOR):
        raise Http404
    person = get_object_or_404(User, pk=pk)
    form = ResetSecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.reset(by=request.user, user=person, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已重置 %(who)s 的身份验证器；其下次登录时需重新绑定。") % {"who": person})
            return redirect("user_second_factor", pk=person.pk)
    context = {"person": person, "enrolled": second_factor.has_confirmed_device(person), "form": form}
    return render(request, "accounts/user_second_factor.html", context)

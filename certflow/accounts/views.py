"""Pages about people and enterprises: sign-in, enterprise list and detail, the enterprise user's home."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from certflow.accounts.forms import EmailAuthenticationForm, SearchForm
from certflow.accounts.models import Membership
from certflow.accounts.permissions import get_enterprise_for_user
from certflow.accounts.selectors import enterprise_list as select_enterprises

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

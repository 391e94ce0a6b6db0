"""Which menu entries each kind of user sees. Later stages add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certflow.accounts.roles import StaffRole


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _items(user):
    if not user.is_authenticated:
        return []
    if user.is_cb_staff:
        items = [(_("工作台"), reverse("dashboard")), (_("企业"), reverse("enterprise_list"))]
        # Acceptance (clause 6 申请受理): clerks work from the queue; roles spanning clients read every application.
        if user.has_role(StaffRole.ACCEPTANCE_CLERK):
            items.append((pgettext_lazy("navigation", "受理"), reverse("acceptance_queue")))
        if user.sees_all_enterprises:
            items.append((pgettext_lazy("navigation", "申请"), reverse("application_list")))
        # Document review (clause 6 文件审核): auditors see their own reviews, roles spanning clients all of them.
        items.append((_("文件审核"), reverse("review_list")))
        if user.has_role(StaffRole.ADMINISTRATOR):
            items.append((_("工作日历"), reverse("workday_calendar")))
            items.append((_("事件日志"), reverse("event_list")))
        if user.is_staff:
            items.append((_("后台管理"), reverse("admin:index")))
        return items
    return [
        (_("企业首页"), reverse("enterprise_home")),
        (pgettext_lazy("navigation", "申请"), reverse("application_list")),
        (_("不符合项整改"), reverse("nonconformity_list")),
    ]


def menu_for(user, path: str) -> list[NavItem]:
    items = _items(user)
    # Only the most specific entry is current: on /applications/acceptance/ that is "受理", not "申请".
    matches = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [NavItem(str(label), url, url == current) for label, url in items]

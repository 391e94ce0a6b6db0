"""Which menu entries each kind of user sees. Later stages add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
        if user.has_role(StaffRole.ADMINISTRATOR):
            items.append((_("工作日历"), reverse("workday_calendar")))
            items.append((_("事件日志"), reverse("event_list")))
        if user.is_staff:
            items.append((_("后台管理"), reverse("admin:index")))
        return items
    return [(_("企业首页"), reverse("enterprise_home"))]


def menu_for(user, path: str) -> list[NavItem]:
    return [
        NavItem(str(label), url, path == url or (url != "/" and path.startswith(url))) for label, url in _items(user)
    ]

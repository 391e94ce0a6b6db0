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
    if not user.is_cb_staff:
        # In the order the enterprise meets them (the lifecycle of clause 6).
        return [
            (_("企业首页"), reverse("enterprise_home")),
            (pgettext_lazy("navigation", "申请"), reverse("application_list")),
            (_("不符合项整改"), reverse("nonconformity_list")),
            (_("现场审核"), reverse("audit_list")),
            (_("满意度调查"), reverse("survey_list")),
            (_("认证决定"), reverse("decision_queue")),
            (_("我的证书"), reverse("certificate_list")),
            (_("变更与事件"), reverse("change_list")),
            (_("申诉"), reverse("case_list")),
        ]
    spans_clients = user.sees_all_enterprises
    keeps_programme = user.has_role(StaffRole.PROGRAMME_MANAGER, StaffRole.ADMINISTRATOR)
    is_auditor = user.has_role(StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR)
    items = [(_("工作台"), reverse("dashboard")), (_("企业"), reverse("enterprise_list"))]
    # Acceptance (clause 6 申请受理): clerks work from the queue; roles spanning clients read every application.
    if user.has_role(StaffRole.ACCEPTANCE_CLERK):
        items.append((pgettext_lazy("navigation", "受理"), reverse("acceptance_queue")))
    if spans_clients:
        items.append((pgettext_lazy("navigation", "申请"), reverse("application_list")))
    # Document review and on-site audits: auditors see their own, roles spanning clients all of them.
    items.append((_("文件审核"), reverse("review_list")))
    if spans_clients or is_auditor:
        items.append((_("现场审核"), reverse("audit_list")))
    # Satisfaction survey (clause 6 用户满意度调查): run by clerks and programme managers (decisions V9).
    if spans_clients:
        items.append((_("满意度调查"), reverse("survey_list")))
    # Certification decision (clause 6 认证决定 1): run by programme managers, sat on by the committee.
    if keeps_programme or user.has_role(StaffRole.TECHNICAL_COMMITTEE):
        items.append((_("认证决定"), reverse("decision_queue")))
    # Surveillance (clause 5 认证模式 4, 6 持续监督): the programme of every certificate in force.
    if spans_clients:
        items.append((_("持续监督"), reverse("surveillance_programme")))
    # Certificates (认证决定 2, 持续监督 2) and the legacy ones of the transition (前言).
    if spans_clients:
        items.append((_("认证证书"), reverse("certificate_list")))
        items.append((_("旧版证书"), reverse("legacy_overview")))
        # The monthly report to the regulator (认证机构数据报送, by the 10th for the month before).
        items.append((_("监管报送"), reverse("report_monthly")))
    # Complaints and appeals (ISO/IEC 17065 7.13); the auditor register (ISO/IEC 17021-1 7.1/7.2).
    if keeps_programme:
        items.append((_("投诉与申诉"), reverse("case_list")))
        items.append((_("重大变更"), reverse("change_list")))
        items.append((pgettext_lazy("navigation", "审核员"), reverse("auditor_list")))
    elif is_auditor:
        items.append((_("我的资格"), reverse("auditor_me")))
    if user.has_role(StaffRole.ADMINISTRATOR):
        items.append((_("工作日历"), reverse("workday_calendar")))
        items.append((_("事件日志"), reverse("event_list")))
    if user.is_staff:
        items.append((_("后台管理"), reverse("admin:index")))
    return items


def menu_for(user, path: str) -> list[NavItem]:
    items = _items(user)
    # Only the most specific entry is current: on /applications/acceptance/ that is "受理", not "申请".
    matches = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [NavItem(str(label), url, url == current) for label, url in items]

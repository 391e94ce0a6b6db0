"""The certification body's staff roles and what each may reach (pure, no ORM)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    ACCEPTANCE_CLERK = "acceptance_clerk", _("受理员")
    AUDITOR = "auditor", _("审核员")
    LEAD_AUDITOR = "lead_auditor", _("审核组长")
    TECHNICAL_COMMITTEE = "technical_committee", _("技术委员会委员")
    PROGRAMME_MANAGER = "programme_manager", _("审核方案管理（调度）")
    ADMINISTRATOR = "administrator", _("系统管理员")


class UserKind(models.TextChoices):
    CB_STAFF = "cb_staff", _("认证机构人员")
    ENTERPRISE = "enterprise", _("企业用户")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("企业管理员")
    MEMBER = "member", _("企业成员")


# Roles that see every enterprise's records (their work spans all clients).
ROLES_SEEING_ALL_ENTERPRISES = frozenset(
    {
        StaffRole.ACCEPTANCE_CLERK,
        StaffRole.PROGRAMME_MANAGER,
        StaffRole.TECHNICAL_COMMITTEE,
        StaffRole.ADMINISTRATOR,
    }
)

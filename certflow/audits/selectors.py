"""Reads of audits. Visibility: CB roles spanning clients see every audit; an auditor the audits whose
team he is on (now or before); enterprise users their own enterprises' audits (decisions AU1)."""

from django.db.models import QuerySet

from certflow.accounts.models import Membership
from certflow.accounts.roles import ROLES_SEEING_ALL_ENTERPRISES
from certflow.audits.models import Audit


def audits_for_user(user) -> QuerySet[Audit]:
    qs = Audit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_cb_staff:
        if user.has_role(*ROLES_SEEING_ALL_ENTERPRISES):
            return qs
        return qs.filter(pk__in=user.audit_memberships.values("audit_id"))
    own = Membership.objects.filter(user=user, ended_at__isnull=True).values("enterprise_id")
    return qs.filter(enterprise_id__in=own)

"""Applying again after a refusal (clause 6 认证决定 2: "可在整改完成后重新申请认证"), decisions-ui DU4.

The refused application stays as it is, as history. The new one is an ordinary draft made by the
applications services, under the scheme in force today, with what the enterprise declared last time
copied in (type, categories, service stages, their descriptions, the sites still listed) so it only
corrects what the refusal named. Materials are not copied: the corrected documents are what the new
application is for, and every file is uploaded (and inspected) afresh.
"""

from django.db import transaction

from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationType
from certflow.applications.models import Application
from certflow.core.rules import RuleViolation
from certflow.decisions import selectors
from certflow.decisions.domain import DecisionStatus


def reapply(*, by, decision) -> Application:
    """A new draft for the enterprise of a refused `decision`; the draft already begun, if there is one."""
    if decision.status != DecisionStatus.REFUSED:
        raise RuleViolation(
            "只有不予认证的申请可以重新申请", "only a refused application can be applied for again", "not_refused"
        )
    if (
        by.is_cb_staff
        or not by.memberships.filter(enterprise_id=decision.enterprise_id, ended_at__isnull=True).exists()
    ):
        raise RuleViolation(
            "只有企业本身的用户可以重新申请", "only the enterprise's own users may apply again", "not_allowed"
        )
    existing = selectors.newer_draft(decision)
    if existing is not None:
        return existing
    with transaction.atomic():
        return _draft(by=by, decision=decision)


def _draft(*, by, decision) -> Application:
    old = decision.application
    application_type = old.application_type
    if application_type == ApplicationType.LEGACY_TRANSITION:
        # The transition path is for a legacy certificate; a refused transition starts as an initial application.
        application_type = ApplicationType.INITIAL
    new = application_services.application_create(
        by=by, enterprise=decision.enterprise, application_type=application_type
    )
    scope = new.scheme_version.as_scheme().scope
    categories = {c.code for c in scope.categories}
    stages = {s.code for s in scope.service_stages}
    application_services.application_update_details(
        by=by,
        application=new,
        categories=[c for c in old.categories if c in categories],
        other_category_description=old.other_category_description,
        service_stages=[s for s in old.service_stages if s in stages],
        service_description=old.service_description,
    )
    for site in old.sites.filter(removed_at__isnull=True).order_by("id"):
        application_services.site_add(by=by, application=new, kind=site.kind, name=site.name, address=site.address)
    new.refresh_from_db()
    return new

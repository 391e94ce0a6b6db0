"""The world of the permission matrix: the demo data (built by the real services of every app) plus one
fresh user per role, and, per policy object kind, one object with the enterprise owning it and the auditor
assigned to it. Roles are relative to that object: "ent_a" is a user of its owner, "auditor" is assigned
to it (its document reviewer or audit team member)."""

import io
from dataclasses import dataclass, field

from django.core.management import call_command
from django.urls import reverse

from certflow.accounts.models import Enterprise, Membership, User
from certflow.accounts.roles import StaffRole
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, StaffFactory, UserFactory

SURVEY_TOKEN = "matrix-survey-link-token"
MONTH = "2026-03"


@dataclass
class Target:
    """What a route's URL names: its kwargs, the owning enterprise and the assigned auditor."""

    kwargs: dict
    owner: Enterprise | None
    auditor: User | None
    skip: str = ""


@dataclass
class World:
    users: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    main: Enterprise | None = None
    main_auditor: User | None = None
    member_of: dict = field(default_factory=dict)
    leak_checks: int = 0

    def secrets_of(self, enterprise) -> list[str]:
        """What identifies `enterprise` and its records: name, USCC, application references, certificate numbers."""
        from certflow.applications.models import Application
        from certflow.certificates.models import Certificate

        found = [enterprise.name, enterprise.uscc]
        found += list(Application.objects.filter(enterprise=enterprise).values_list("reference", flat=True))
        found += [n for n in Certificate.objects.filter(enterprise=enterprise).values_list("number", flat=True) if n]
        return [value for value in found if value]

    def user_for(self, role: str, target: Target):
        if role in ("anon", "token"):
            return None
        if role == "ent_a":
            return self.member_of[(target.owner or self.main).pk]
        if role == "auditor":
            return target.auditor or self.main_auditor
        return self.users[role]


def _member(enterprise):
    membership = Membership.objects.filter(enterprise=enterprise).select_related("user").first()
    if membership is None:
        membership = MembershipFactory(enterprise=enterprise, user=UserFactory())
    return membership.user


def _audit_auditor(audit):
    # The lead: the conduct steps (start, closing meeting, pass) are the lead's.
    member = audit.team.select_related("user").order_by("-role", "pk").first() if audit else None
    return member.user if member else None


def build_world() -> World:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from certflow.applications.models import MaterialFile, Site
    from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
    from certflow.audits.models import Audit, AuditNotice, AuditSite, DateProposal, Finding, FindingFile, ScheduleSlot
    from certflow.certificates.models import Certificate
    from certflow.decisions.models import CommitteeMember, Decision
    from certflow.lifecycle.models import Case, ChangeReport, LegacyImport, MajorEvent
    from certflow.notifications.models import Notification
    from certflow.reviews.models import (
        ChecklistEntry,
        CorrectiveEvidence,
        DocumentReview,
        Nonconformity,
    )
    from certflow.surveys.models import ImportJob, ImprovementPlan, Invitation, Survey
    from certflow.surveys.tokens import hash_token

    call_command("demo", stdout=io.StringIO())
    # The demo gives its staff an authenticator; the matrix is about roles, the second factor has its own tests.
    TOTPDevice.objects.all().delete()
    world = World()
    world.users = {
        "clerk": StaffFactory(email="m-clerk@cb.example", roles=[StaffRole.ACCEPTANCE_CLERK]),
        "auditor_x": StaffFactory(email="m-auditor-x@cb.example", roles=[StaffRole.AUDITOR]),
        "committee": StaffFactory(email="m-committee@cb.example", roles=[StaffRole.TECHNICAL_COMMITTEE]),
        "pm": StaffFactory(email="m-pm@cb.example", roles=[StaffRole.PROGRAMME_MANAGER]),
        "admin": StaffFactory(email="m-admin@cb.example", roles=[StaffRole.ADMINISTRATOR], is_staff=True),
        "ent_b": MembershipFactory(
            enterprise=EnterpriseFactory(name="矩阵乙企业有限公司"), user=UserFactory(email="m-b@ent.example")
        ).user,
    }
    for enterprise in Enterprise.objects.all():
        world.member_of[enterprise.pk] = _member(enterprise)

    decision = Decision.objects.select_related("application__enterprise").order_by("pk").first()
    application = decision.application
    world.main = application.enterprise
    main_audit = Audit.objects.filter(application=application).order_by("pk").first()
    world.main_auditor = _audit_auditor(main_audit)

    def assigned_to(enterprise):
        audit = Audit.objects.filter(enterprise=enterprise, team__isnull=False).order_by("pk").first()
        if audit is not None:
            return _audit_auditor(audit)
        review = DocumentReview.objects.filter(application__enterprise=enterprise).order_by("pk").first()
        return review.reviewer if review else None

    def put(kind, kwargs, owner, auditor=None, skip=""):
        if auditor is None and owner is not None:
            auditor = assigned_to(owner)
        world.targets[kind] = Target(kwargs, owner, auditor, skip)

    put("none", {}, world.main, world.main_auditor)
    put("application", {"pk": application.pk}, world.main, world.main_auditor)
    review = DocumentReview.objects.select_related("application__enterprise").order_by("pk").first()
    review_file = MaterialFile.objects.filter(application=review.application).order_by("pk").first()
    put("review", {"pk": review.pk, "file_pk": review_file.pk}, review.application.enterprise, review.reviewer)
    nc = Nonconformity.objects.filter(actions__isnull=False).order_by("pk").first()
    nc_owner = nc.application.enterprise if nc.application_id else nc.certificate.enterprise
    nc_auditor = review.reviewer if nc.review_id is None else nc.review.reviewer
    if nc.audit_id:
        nc_auditor = _audit_auditor(nc.audit)
    put("nonconformity", {"pk": nc.pk}, nc_owner, nc_auditor)
    action = nc.actions.order_by("pk").first()
    put("action", {"pk": action.pk}, nc_owner, nc_auditor)
    evidence = CorrectiveEvidence.objects.order_by("pk").first()
    ev_nc = evidence.action.nonconformity
    put(
        "evidence",
        {"pk": evidence.pk},
        ev_nc.application.enterprise,
        _audit_auditor(ev_nc.audit) if ev_nc.audit_id else ev_nc.review.reviewer,
    )
    material = MaterialFile.objects.filter(application=application).order_by("pk").first()
    put("file", {"pk": material.pk, "file_pk": material.pk}, world.main, world.main_auditor)
    # Register records of an auditor who is not the assigned one (an auditor may act on his own record).
    others = AuditorProfile.objects.exclude(user=world.main_auditor)
    put("profile", {"pk": others.order_by("pk").first().pk}, None)
    put("competence", {"pk": Competence.objects.filter(profile__in=others).order_by("pk").first().pk}, None)
    conflict = ConflictDeclaration.objects.filter(profile__in=others).order_by("pk").first()
    unavailability = Unavailability.objects.filter(profile__in=others).order_by("pk").first()
    put("conflict", {"pk": conflict.pk} if conflict else {}, None, skip="" if conflict else "no conflict in demo")
    put(
        "unavailability",
        {"pk": unavailability.pk} if unavailability else {},
        None,
        skip="" if unavailability else "no unavailability in demo",
    )
    put("audit", {"pk": main_audit.pk}, world.main, world.main_auditor)
    survey = Survey.objects.filter(application=application).order_by("pk").first() or Survey.objects.first()
    put("survey", {"pk": survey.pk}, survey.enterprise, world.main_auditor)
    invitation = Invitation.objects.filter(survey__enterprise=survey.enterprise).order_by("pk").first()
    put("invitation", {"pk": invitation.pk}, survey.enterprise)
    job = ImportJob.objects.filter(survey=survey).first() or ImportJob.objects.first()
    put("import", {"pk": job.pk}, job.survey.enterprise)
    plan = ImprovementPlan.objects.select_related("survey__enterprise").first()
    put("improvement", {"pk": plan.pk}, plan.survey.enterprise)
    open_invitation = (
        Invitation.objects.filter(used_at__isnull=True, sent_at__isnull=False, survey__status="open")
        .order_by("pk")
        .first()
    )
    if open_invitation is not None:
        Invitation.objects.filter(pk=open_invitation.pk).update(token_hash=hash_token(SURVEY_TOKEN))
    put(
        "token",
        {"token": SURVEY_TOKEN},
        open_invitation.survey.enterprise if open_invitation else None,
        skip="" if open_invitation else "no open invitation in demo",
    )
    certificate = (
        Certificate.objects.filter(enterprise=world.main).order_by("pk").first()
        or Certificate.objects.filter(number__gt="").order_by("pk").first()
    )
    put("certificate", {"pk": certificate.pk, "action": "suspend"}, certificate.enterprise)
    put("certificate_query", {"certificate_query": certificate.pk}, certificate.enterprise)
    put("number", {"number": certificate.number}, certificate.enterprise)
    put("legacy_import", {"pk": LegacyImport.objects.order_by("pk").first().pk}, None)
    case = Case.objects.filter(enterprise__isnull=False).order_by("pk").first() or Case.objects.first()
    put("case", {"pk": case.pk}, case.enterprise)
    change = ChangeReport.objects.select_related("certificate__enterprise").order_by("pk").first()
    put("change", {"pk": change.pk}, change.certificate.enterprise)
    event = MajorEvent.objects.select_related("certificate__enterprise").order_by("pk").first()
    put("event", {"pk": event.pk}, event.certificate.enterprise)
    put("decision", {"pk": decision.pk}, world.main, world.main_auditor)
    done = Decision.objects.filter(status="refused").exclude(notice_storage_name="").order_by("pk").first()
    put(
        "decision_refused",
        {"pk": done.pk} if done else {},
        done.enterprise if done else None,
        skip="" if done else "the demo has no refusal notice",
    )
    finding_file = FindingFile.objects.select_related("finding__audit").first()
    put(
        "finding_file",
        {"pk": finding_file.finding.audit_id, "file_pk": finding_file.pk} if finding_file else {},
        finding_file.finding.audit.enterprise if finding_file else None,
        _audit_auditor(finding_file.finding.audit) if finding_file else None,
        skip="" if finding_file else "the demo has no finding file (audits' own tests cover the download)",
    )
    put("user", {"pk": StaffFactory(email="m-other@cb.example", roles=[StaffRole.AUDITOR]).pk}, None)
    put("enterprise", {"pk": world.main.pk}, world.main)
    note = Notification.objects.filter(recipient=world.member_of[world.main.pk]).order_by("pk").first()
    put("notification", {"pk": note.pk} if note else {}, world.main, skip="" if note else "no notification")
    put("reset", {"uidb64": "MQ", "token": "set-password"}, None)
    put("month", {"month": MONTH}, None)
    finding = Finding.objects.filter(audit=main_audit).order_by("pk").first()
    put("finding", {"pk": finding.pk}, world.main, world.main_auditor)

    # Secondary kwargs some routes carry next to the object's pk.
    site = Site.objects.filter(application=application).first()
    audit_nc = Nonconformity.objects.filter(audit__isnull=False).select_related("audit").order_by("pk").first()
    put(
        "audit_nc",
        {"pk": audit_nc.audit_id, "nc_pk": audit_nc.pk, "nonconformity_id": audit_nc.pk},
        audit_nc.audit.enterprise,
        _audit_auditor(audit_nc.audit),
    )
    world.extra = {
        "application_pk": application.pk,
        "file_pk": material.pk,
        "site_pk": site.pk if site else 0,
        "code": material.material,
        "item_id": ChecklistEntry.objects.filter(review=review).first().item_id,
        "proposal_pk": DateProposal.objects.filter(audit=main_audit).first().pk,
        "slot_pk": ScheduleSlot.objects.filter(audit=main_audit).first().pk,
        "notice_pk": AuditNotice.objects.filter(audit=main_audit).first().pk,
        "notice_id": AuditNotice.objects.filter(audit=main_audit).first().pk,
        "nc_pk": audit_nc.pk if audit_nc else 0,
        "nonconformity_id": audit_nc.pk if audit_nc else 0,
        "action": "acknowledge",
        "member_pk": CommitteeMember.objects.filter(decision=decision).first().pk,
        "file_id": evidence.pk,
        "audit_site_pk": AuditSite.objects.filter(audit=main_audit).first().pk,
    }
    return world


def url_for(route, world: World, target: Target) -> str:
    """The URL of `route` (a resolver pattern record) for `target`, extra kwargs filled from the world."""
    kwargs = {}
    for name in route.kwargs:
        if name in target.kwargs:
            kwargs[name] = target.kwargs[name]
        elif name == "item_id" and route.name.startswith("audit"):
            kwargs[name] = target.kwargs.get("item_id", world.extra["item_id"])
        elif name == "site_pk" and route.name.startswith("audit"):
            kwargs[name] = world.extra["audit_site_pk"]
        else:
            kwargs[name] = world.extra[name]
    return reverse(route.qualified, kwargs=kwargs)

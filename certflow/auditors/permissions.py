"""Who may see and change the auditor register.

Programme managers and administrators see and keep the whole register. An auditor sees only his own
profile and may declare his own conflicts and unavailable dates. Everyone else — other staff,
enterprises, the public — gets 404, the same answer as for a profile that does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.auditors.services import is_register_keeper

ONLY_KEEPER = (
    "只有审核方案管理人员或系统管理员可以进行此操作 / only a programme manager or an administrator may do this"
)


def _is_self(user, profile: AuditorProfile) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_cb_staff and user.pk == profile.user_id)


def profiles_for_user(user):
    if is_register_keeper(user):
        return AuditorProfile.objects.all()
    if user.is_authenticated and user.is_active and user.is_cb_staff:
        return AuditorProfile.objects.filter(user=user)
    return AuditorProfile.objects.none()


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_profile_for_user(user, pk, *, keep: bool = False, declare: bool = False) -> AuditorProfile:
    """`keep`: change the qualification or competences (keepers only). `declare`: conflicts and
    unavailable dates (the auditor himself or a keeper)."""
    profile = _get(profiles_for_user(user).select_related("user"), pk)
    if keep and not is_register_keeper(user):
        raise PermissionDenied(ONLY_KEEPER)
    if declare and not (is_register_keeper(user) or _is_self(user, profile)):
        raise PermissionDenied(ONLY_KEEPER)
    return profile


def get_own_profile(user) -> AuditorProfile:
    """The signed-in auditor's own profile; 404 for anyone not in the register."""
    if not (user.is_authenticated and user.is_active and user.is_cb_staff):
        raise Http404(NOT_FOUND)
    try:
        return AuditorProfile.objects.select_related("user").get(user=user)
    except AuditorProfile.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def get_competence_for_user(user, pk) -> Competence:
    """Competences are changed by keepers only; an auditor sees his own through his profile."""
    competence = _get(
        Competence.objects.filter(profile__in=profiles_for_user(user)).select_related("profile__user"), pk
    )
    if not is_register_keeper(user):
        raise PermissionDenied(ONLY_KEEPER)
    return competence


def get_conflict_for_user(user, pk, *, withdraw: bool = False) -> ConflictDeclaration:
    conflict = _get(
        ConflictDeclaration.objects.filter(profile__in=profiles_for_user(user)).select_related(
            "profile__user", "enterprise"
        ),
        pk,
    )
    if withdraw and not is_register_keeper(user):
        raise PermissionDenied(ONLY_KEEPER)
    return conflict


def get_unavailability_for_user(user, pk, *, remove: bool = False) -> Unavailability:
    period = _get(
        Unavailability.objects.filter(profile__in=profiles_for_user(user)).select_related("profile__user"), pk
    )
    if remove and not (is_register_keeper(user) or _is_self(user, period.profile)):
        raise PermissionDenied(ONLY_KEEPER)
    return period

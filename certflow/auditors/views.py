"""Register pages: the list and the profile page for keepers, "my qualification" for the auditor himself.

Each view: parse → permission helper → one service call → redirect, or the same page again with the
bound form and the refusal, so nothing typed is lost.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certflow.accounts.permissions import NOT_FOUND
from certflow.auditors import services
from certflow.auditors.domain import EXPIRING_WITHIN_DAYS, QualificationFlag
from certflow.auditors.forms import (
    CompetenceForm,
    ConflictForm,
    ProfileCreateForm,
    ProfileForm,
    RegisterFilterForm,
    UnavailabilityForm,
    WithdrawForm,
)
from certflow.auditors.models import AuditorProfile
from certflow.auditors.permissions import (
    ONLY_KEEPER,
    get_competence_for_user,
    get_conflict_for_user,
    get_own_profile,
    get_profile_for_user,
    get_unavailability_for_user,
)
from certflow.auditors.selectors import category_catalogue, flag_for, profile_detail, register_list
from certflow.core.rules import RuleViolation

PER_PAGE = 50
FLAG_CLASS = {
    QualificationFlag.VALID: "package",
    QualificationFlag.EXPIRING: "nc-open",
    QualificationFlag.EXPIRED: "missing",
    QualificationFlag.NOT_YET_VALID: "declared",
}


def _today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _zh() -> bool:
    return (get_language() or "zh").startswith("zh")


def _message(exc: RuleViolation) -> str:
    return exc.zh if _zh() else exc.en


def _category_labels() -> dict[str, str]:
    return {code: (zh if _zh() else en) for code, (zh, en) in category_catalogue().items()}


def _catalogue_order(labels: dict[str, str]):
    # Categories read in the scheme file's order, as on the application form.
    order = {code: i for i, code in enumerate(labels)}
    return lambda code: (order.get(code, len(order)), code)


def _decorate_flag(profile: AuditorProfile, flag: str) -> None:
    profile.flag_value = flag
    profile.flag_label = QualificationFlag(flag).label
    profile.flag_class = FLAG_CLASS[flag]


def _guard_keeper_page(user) -> None:
    if not user.is_cb_staff:
        raise Http404(NOT_FOUND)
    if not services.is_register_keeper(user):
        raise PermissionDenied(ONLY_KEEPER)


@login_required
@require_GET
def register_list_view(request):
    user = request.user
    if user.is_cb_staff and not services.is_register_keeper(user) and AuditorProfile.objects.filter(user=user).exists():
        return redirect("auditor_me")
    _guard_keeper_page(request.user)
    labels = _category_labels()
    form = RegisterFilterForm(request.GET or None, categories=list(labels.items()), flags=QualificationFlag.choices)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = register_list(
        level=filters.get("level", ""),
        category=filters.get("category", ""),
        flag=filters.get("flag", ""),
        q=(filters.get("q") or "").strip(),
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    for profile in page.object_list:
        _decorate_flag(profile, profile.flag)
        codes = sorted((c.category for c in profile.current_competences), key=_catalogue_order(labels))
        profile.category_text = ("、" if _zh() else ", ").join(labels.get(code, code) for code in codes)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "auditors/register_list.html",
        {"page": page, "form": form, "query": query.urlencode(), "expiring_days": EXPIRING_WITHIN_DAYS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_create_view(request):
    _guard_keeper_page(request.user)
    form = ProfileCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已登记审核员资格。"))
            return redirect("auditor_detail", profile.pk)
    return render(request, "auditors/profile_form.html", {"form": form, "profile": None})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit_view(request, pk: int):
    profile = get_profile_for_user(request.user, pk, keep=True)
    initial = {f: getattr(profile, f) for f in services.PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(by=request.user, profile=profile, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("auditor_detail", profile.pk)
    return render(request, "auditors/profile_form.html", {"form": form, "profile": profile})


def _detail(request, profile: AuditorProfile, *, status: int = 200, **forms):
    keeper = services.is_register_keeper(request.user)
    own = request.user.pk == profile.user_id
    profile = profile_detail(profile.pk)
    today = _today()
    _decorate_flag(profile, flag_for(profile, today))
    labels = _category_labels()
    held = {c.category for c in profile.current_competences}
    profile.current_competences.sort(key=lambda c: _catalogue_order(labels)(c.category))
    for competence in profile.current_competences:
        competence.label = labels.get(competence.category, competence.category)
    open_conflicts = [c for c in profile.all_conflicts if c.withdrawn_at is None]
    context = {
        "profile": profile,
        "keeper": keeper,
        "own": own,
        "today": today,
        "open_conflicts": open_conflicts,
        "withdrawn_conflicts": [c for c in profile.all_conflicts if c.withdrawn_at is not None],
        "periods": profile.current_unavailability,
        "competence_form": forms.get("competence_form")
        or CompetenceForm(categories=[(c, n) for c, n in labels.items() if c not in held]),
        "conflict_form": forms.get("conflict_form") or ConflictForm(),
        "unavailability_form": forms.get("unavailability_form") or UnavailabilityForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "withdraw_target": forms.get("withdraw_target"),
        "may_add_competence": keeper and len(held) < len(labels),
    }
    return render(request, "auditors/profile_detail.html", context, status=status)


def _back(request, profile: AuditorProfile):
    if request.user.pk == profile.user_id and not services.is_register_keeper(request.user):
        return redirect("auditor_me")
    return redirect("auditor_detail", profile.pk)


@login_required
@require_GET
def profile_detail_view(request, pk: int):
    return _detail(request, get_profile_for_user(request.user, pk))


@login_required
@require_GET
def my_profile_view(request):
    return _detail(request, get_own_profile(request.user))


@login_required
@require_POST
def competence_add_view(request, pk: int):
    profile = get_profile_for_user(request.user, pk, keep=True)
    held = set(profile.competences.filter(removed_at__isnull=True).values_list("category", flat=True))
    choices = [(c, n) for c, n in _category_labels().items() if c not in held]
    form = CompetenceForm(request.POST, categories=choices)
    if form.is_valid():
        try:
            services.competence_add(by=request.user, profile=profile, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已登记专业能力。"))
            return _back(request, profile)
    return _detail(request, profile, status=400, competence_form=form)


@login_required
@require_POST
def competence_remove_view(request, pk: int):
    competence = get_competence_for_user(request.user, pk)
    try:
        services.competence_remove(by=request.user, competence=competence, reason=request.POST.get("reason", ""))
    except RuleViolation as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("已撤销该专业能力。"))
    return _back(request, competence.profile)


@login_required
@require_POST
def conflict_declare_view(request, pk: int):
    profile = get_profile_for_user(request.user, pk, declare=True)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(by=request.user, profile=profile, today=_today(), **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已登记利益冲突声明。"))
            return _back(request, profile)
    return _detail(request, profile, status=400, conflict_form=form)


@login_required
@require_POST
def conflict_withdraw_view(request, pk: int):
    conflict = get_conflict_for_user(request.user, pk, withdraw=True)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_withdraw(by=request.user, conflict=conflict, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已撤回该利益冲突声明。"))
            return _back(request, conflict.profile)
    return _detail(request, conflict.profile, status=400, withdraw_form=form, withdraw_target=conflict.pk)


@login_required
@require_POST
def unavailability_add_view(request, pk: int):
    profile = get_profile_for_user(request.user, pk, declare=True)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.unavailability_add(by=request.user, profile=profile, today=_today(), **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已登记不可安排日期。"))
            return _back(request, profile)
    return _detail(request, profile, status=400, unavailability_form=form)


@login_required
@require_POST
def unavailability_remove_view(request, pk: int):
    period = get_unavailability_for_user(request.user, pk, remove=True)
    try:
        services.unavailability_remove(by=request.user, period=period)
    except RuleViolation as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("已撤销该不可安排期间。"))
    return _back(request, period.profile)

"""The public complaint form (no login, rate-limited) and the status lookup by reference and tracking code."""

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from certflow.accounts.uscc import normalize_uscc
from certflow.certificates.models import Certificate
from certflow.core.rules import RuleViolation
from certflow.lifecycle import cases
from certflow.lifecycle.forms import ComplaintForm, TrackForm
from certflow.lifecycle.models import Case
from certflow.lifecycle.ratelimit import allow_complaint


def _subject(text: str):
    """The certificate (by number) or enterprise (by USCC) the complaint names, when it names one exactly."""
    text = (text or "").strip()
    if not text:
        return None, None
    certificate = Certificate.objects.select_related("enterprise").filter(number__iexact=text).first()
    if certificate is not None:
        return certificate.enterprise, certificate
    from certflow.accounts.models import Enterprise

    return Enterprise.objects.filter(uscc=normalize_uscc(text)).first(), None


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_new_view(request):
    form = ComplaintForm(request.POST or None)
    if request.method == "POST":
        allowed, retry_after = allow_complaint(request)
        if not allowed:
            response = render(request, "rate_limited.html", {"retry_after": retry_after}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid() and not form.cleaned_data["website"]:
            data = form.cleaned_data
            enterprise, certificate = _subject(data["subject"])
            try:
                case = cases.complaint_receive(
                    name=data["name"],
                    contact=data["contact"],
                    description=data["description"],
                    subject_text=data["subject"],
                    enterprise=enterprise,
                    certificate=certificate,
                    by=request.user if request.user.is_authenticated else None,
                )
            except RuleViolation as exc:
                form.add_error(None, exc.zh if (get_language() or "zh").startswith("zh") else exc.en)
            else:
                return render(request, "lifecycle/public/complaint_received.html", {"case": case})
        elif form.is_valid():
            form.add_error(None, _("提交未被接受，请重试。"))
    return render(request, "lifecycle/public/complaint_form.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET"])
def complaint_track_view(request):
    form = TrackForm(request.GET or None)
    case = None
    if form.is_bound and form.is_valid():
        allowed, retry_after = allow_complaint(request, scope="complaint-track")
        if not allowed:
            response = render(request, "rate_limited.html", {"retry_after": retry_after}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        case = Case.objects.filter(
            reference__iexact=form.cleaned_data["reference"].strip(), tracking_code=form.cleaned_data["code"].strip()
        ).first()
        if case is None:
            form.add_error(None, _("未找到 / not found"))
    return render(
        request,
        "lifecycle/public/complaint_track.html",
        {"form": form, "case": case},
        status=404 if form.is_bound and case is None else 200,
    )

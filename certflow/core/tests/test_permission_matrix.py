"""The permission matrix (issue 10, item 1): the declared policy (certflow/core/policy.py) against every
route of the resolver, every GET cell exercised, every refused write shown to change nothing.

The world (the demo data, built by every app's real services, plus one user per role) is built once per
module inside an outer transaction that is rolled back at the end, the way Django's TestCase does with
setUpTestData; each test runs in a savepoint inside it."""

import hashlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from certflow.core import policy
from certflow.core.tests.permission_fixtures import build_world, url_for

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class Route:
    def __init__(self, name, qualified, pattern, kwargs, actions):
        self.name, self.qualified, self.pattern = name, qualified, pattern
        self.kwargs, self.actions = kwargs, actions

    def __repr__(self):
        return self.name


def _kwargs_of(pattern) -> list[str]:
    regex = pattern.regex
    return list(regex.groupindex)


def walk(resolver=None, prefix="", namespace="", kwargs=()):
    """Every named route below the root, without the format-suffix copies and the Django admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if text.startswith("admin/"):
            continue
        if isinstance(entry, URLResolver):
            ns = namespace + (entry.namespace + ":" if entry.namespace else "")
            yield from walk(entry, text, ns, (*kwargs, *_kwargs_of(entry.pattern)))
        elif isinstance(entry, URLPattern):
            if "format" in entry.pattern.regex.groupindex:
                continue
            actions = getattr(entry.callback, "actions", None)
            yield Route(entry.name, namespace + entry.name, text, [*kwargs, *_kwargs_of(entry.pattern)], actions)


ROUTES = {route.name: route for route in walk()}


def methods_of(name):
    return [m for m in ("GET", *UNSAFE) if m in policy.POLICY[name]]


# ---------------------------------------------------------------- coverage of the table


def test_every_route_is_in_the_policy_and_every_policy_route_exists():
    declared = set(policy.PAGES) | set(policy.API) | (set(policy.OTHER) - {"admin: staff only"})
    routed = set(ROUTES)
    assert routed - declared == set(), "routes missing from certflow/core/policy.py"
    assert declared - routed == set(), "policy rows for routes that no longer exist"


def test_api_routes_declare_exactly_the_methods_the_viewset_answers():
    wrong = {}
    for name, route in ROUTES.items():
        if route.actions:
            answered = {m.upper() for m in route.actions} - {"HEAD"}
            if answered != set(methods_of(name)):
                wrong[name] = (sorted(answered), methods_of(name))
    assert wrong == {}


def test_every_cell_names_known_roles():
    for name, row in policy.POLICY.items():
        for method in methods_of(name):
            assert row[method] <= set(policy.ROLES), name
    for route, method, role in policy.KNOWN_DEFECTS:
        assert route in policy.POLICY and method in policy.POLICY[route] and role in policy.ROLES


# ---------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from certflow.certificates import signing

    with (
        django_db_blocker.unblock(),
        override_settings(
            CERTFLOW_CERTIFICATE_SIGNING_KEY=signing.new_seed(), CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS=[]
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def matrix(world, db):
    cache.clear()
    yield world
    cache.clear()


def roles_for(name):
    row = policy.POLICY[name]
    return [role for role in policy.ROLES if role != "token" or row["token"]]


def target_of(world, name):
    return world.targets[policy.POLICY[name]["obj"] or "none"]


def request(client, world, name, role, method, data=None):
    route = ROUTES[name]
    target = target_of(world, name)
    client.logout()
    user = world.user_for(role, target)
    if user is not None:
        client.force_login(user)
    url = url_for(route, world, target)
    if "certificate_query" in target.kwargs:
        url += f"?certificate={target.kwargs['certificate_query']}"
    if policy.POLICY[name]["token"] and role != "token":
        url = url.replace(target.kwargs["token"], "not-the-link-token")
    send = getattr(client, method.lower())
    if route.name.startswith("api") or route.actions:
        return send(url, data or {}, content_type="application/json")
    return send(url, data or {})


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and response.get("Location", "").startswith(
        resolve_url(settings.LOGIN_URL)
    )


def outcome(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        return "refused" if is_login_redirect(response) else "allowed"
    if 200 <= code < 300:
        return "allowed"
    if code == 400:
        return "invalid"  # past the permission check: an empty body, a GET missing its parameters
    if code in (401, 403, 404):
        return "refused"
    return f"other:{code}"


def answer(response) -> str | int:
    return "login" if is_login_redirect(response) else response.status_code


def check_cell(name, method, role, response):
    """Allowed cells: not refused. Refused cells: exactly the answer policy.refusal() gives (a 400 fails:
    the body was read before the caller was refused)."""
    key = (name, method, role)
    if role in policy.POLICY[name][method]:
        expected, got = "allowed", outcome(response)
        got = "allowed" if got == "invalid" else got
    else:
        expected, got = policy.refusal(name, method, role), answer(response)
    if key in policy.KNOWN_DEFECTS:
        return None if got != expected else f"{key}: known defect no longer happens, remove it"
    if got != expected:
        return f"{name} {method} {role}: expected {expected}, got {got}"
    return None


def leak(world, target, role, response):
    """Enterprise B, refused an object of A, must not learn anything of A from the answer."""
    if role != "ent_b" or target.owner is None or outcome(response) != "refused":
        return None
    body = response.content.decode("utf-8", "replace") if not getattr(response, "streaming", False) else ""
    found = [secret for secret in world.secrets_of(target.owner) if secret in body]
    if found:
        return f"{response.request['PATH_INFO']}: the refusal to enterprise B shows {found}"
    world.leak_checks += 1
    return None


GET_ROUTES = sorted(name for name in ROUTES if "GET" in policy.POLICY[name])


@pytest.mark.parametrize("name", GET_ROUTES)
def test_get_cells(matrix, name):
    target = target_of(matrix, name)
    if target.skip:
        pytest.skip(target.skip)
    client = Client(raise_request_exception=False)
    problems = []
    for role in roles_for(name):
        response = request(client, matrix, name, role, "GET")
        problem = check_cell(name, "GET", role, response) or leak(matrix, target, role, response)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- refused writes change nothing


def snapshot() -> str:
    """Row count of every certflow table (and sessions-independent auth tables) plus, for the tables that carry
    state, every row's state columns: a refused write must leave all of it as it was."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if not model.__module__.startswith(("certflow.", "django_otp.", "rest_framework.authtoken.")):
            continue
        manager = model._base_manager
        digest.update(f"{model._meta.label}:{manager.count()}".encode())
        names = [f.attname for f in model._meta.concrete_fields if f.attname in STATE_COLUMNS]
        if names:
            digest.update(repr(list(manager.order_by("pk").values_list("pk", *names))).encode())
    return digest.hexdigest()


STATE_COLUMNS = {"status", "read_at", "state", "used_at", "withdrawn_at", "revoked_at", "removed_at", "confirmed"}


WRITE_ROUTES = sorted(name for name in ROUTES if any(m in policy.POLICY[name] for m in UNSAFE))


@pytest.mark.parametrize("name", WRITE_ROUTES)
def test_refused_writes_are_refused_and_change_nothing(matrix, name):
    target = target_of(matrix, name)
    if target.skip:
        pytest.skip(target.skip)
    client = Client(raise_request_exception=False)
    problems = []
    for method in (m for m in UNSAFE if m in policy.POLICY[name]):
        allowed = policy.POLICY[name][method]
        before = snapshot()
        for role in (role for role in roles_for(name) if role not in allowed):
            response = request(client, matrix, name, role, method)
            problem = check_cell(name, method, role, response) or leak(matrix, target, role, response)
            if problem:
                problems.append(problem)
        if snapshot() != before:
            problems.append(f"{name} {method}: a refused write changed the database")
        # Allowed roles: an empty body must not be refused for permission (the apps test the real writes).
        for role in sorted(allowed & set(roles_for(name))):
            with transaction.atomic():
                response = request(client, matrix, name, role, method)
                transaction.set_rollback(True)
            refused = (401, 403) if (name, method) in policy.EMPTY_BODY_404 else (401, 403, 404)
            # 405: the table declares a method the route does not answer.
            if response.status_code in (*refused, 405) or response.status_code >= 500:
                problems.append(f"{name} {method} {role}: allowed, got {response.status_code}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- cross-enterprise, every object type

CROSS_ENTERPRISE = {
    "application": ["application_detail", "application-detail", "application-materials", "application-sites"],
    "material file": ["material_file_download", "material-file-detail", "material-file-download"],
    "nonconformity": ["nonconformity_detail", "nonconformity-detail"],
    "corrective action": ["corrective-action-detail", "corrective-action-files", "corrective_evidence_download"],
    "audit": ["audit_detail", "audit-detail", "audit_report", "audit-conduct-detail", "audit_notice_download"],
    "survey and responses": ["survey_detail", "survey-detail", "survey_results", "api-survey-results", "survey_report"],
    "decision dossier": ["decision_detail", "decision-detail", "decision_dossier_pdf"],
    "certificate (private)": ["certificate_detail", "certificate-detail", "certificate_pdf", "certificate-pdf"],
    "change report": ["change_detail", "change-report-detail"],
    "major event": ["major_event_detail", "major-event-detail"],
}


@pytest.mark.parametrize("kind", sorted(CROSS_ENTERPRISE))
def test_enterprise_b_gets_nothing_of_enterprise_a(matrix, kind):
    client = Client(raise_request_exception=False)
    for name in CROSS_ENTERPRISE[kind]:
        target = target_of(matrix, name)
        secrets = matrix.secrets_of(target.owner)
        assert target.owner != matrix.users["ent_b"].memberships.get().enterprise
        owner_response = request(
            client, matrix, name, "ent_a" if "ent_a" in policy.POLICY[name]["GET"] else "pm", "GET"
        )
        assert outcome(owner_response) == "allowed", name
        response = request(client, matrix, name, "ent_b", "GET")
        assert response.status_code in (403, 404), name
        body = response.content.decode("utf-8", "replace")
        assert [s for s in secrets if s in body] == [], name


# ---------------------------------------------------------------- forbidden fields are never stored


def api_as(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


FORBIDDEN = {
    "status": "accepted",
    "reference": "FORGED-0001",
    "decision": "granted",
    "grade": "five_star",
    "certificate_number": "FORGED-CERT",
    "number": "FORGED-CERT",
    "assessment": "no_action",
    "resolved_at": "2026-01-01T00:00:00Z",
    "created_by": 1,
}


def test_application_create_ignores_forbidden_fields_and_another_enterprise(matrix):
    from certflow.applications.models import Application

    enterprise = matrix.main
    user = matrix.member_of[enterprise.pk]
    other = matrix.users["ent_b"].memberships.get().enterprise
    response = api_as(user).post("/api/v1/applications/", {"enterprise": enterprise.pk, **FORBIDDEN}, format="json")
    assert response.status_code == 201, response.content
    made = Application.objects.get(pk=response.json()["id"])
    assert (made.status, made.enterprise_id) == ("draft", enterprise.pk)
    assert made.reference != FORBIDDEN["reference"]
    before = Application.objects.filter(enterprise=other).count()
    refused = api_as(user).post("/api/v1/applications/", {"enterprise": other.pk}, format="json")
    assert refused.status_code in (400, 403, 404)
    assert Application.objects.filter(enterprise=other).count() == before

    # A draft's update refuses any key that is not one of its details, and stores none of them.
    patched = api_as(user).patch(
        f"/api/v1/applications/{made.pk}/", {"enterprise": other.pk, **FORBIDDEN}, format="json"
    )
    assert patched.status_code == 400
    made.refresh_from_db()
    assert (made.status, made.enterprise_id) == ("draft", enterprise.pk)
    assert made.reference != FORBIDDEN["reference"]


@pytest.mark.parametrize(
    ("url", "body", "model_path"),
    [
        (
            "/api/v1/change-reports/",
            {"kind": "equipment", "description": "新增封边机", "effective_on": "2026-11-01"},
            "lifecycle.ChangeReport",
        ),
        (
            "/api/v1/major-events/",
            {"kind": "quality_failure", "description": "抽检不合格", "occurred_on": "2026-11-01"},
            "lifecycle.MajorEvent",
        ),
    ],
)
def test_reports_by_the_enterprise_ignore_forbidden_fields(matrix, url, body, model_path):
    certificate_pk = target_of(matrix, "certificate_detail").kwargs["pk"]
    target = target_of(matrix, "certificate_detail")
    other = matrix.users["ent_b"].memberships.get().enterprise
    user = matrix.member_of[target.owner.pk]
    forged = {**FORBIDDEN, "status": "assessed", "enterprise": other.pk, "submitted_by": matrix.users["pm"].pk}
    response = api_as(user).post(url, {"certificate": certificate_pk, **body, **forged}, format="json")
    assert response.status_code == 201, response.content
    made = apps.get_model(model_path).objects.get(pk=response.json()["id"])
    assert made.enterprise_id == target.owner.pk
    assert made.reference != FORBIDDEN["reference"]
    stored = {f.attname: getattr(made, f.attname) for f in made._meta.concrete_fields}
    assert stored.get("status") != "assessed"
    assert stored.get("assessment", "") in ("", None)
    assert stored.get("resolved_at") is None
    assert stored.get("submitted_by_id", user.pk) == user.pk


def test_django_admin_is_for_is_staff_only(matrix):
    """The one "admin: staff only" row: Django's admin guards itself with is_staff (only the administrator)."""
    client = Client(raise_request_exception=False)
    target = matrix.targets["none"]
    for role in policy.ROLES:
        if role == "token":
            continue
        client.logout()
        user = matrix.user_for(role, target)
        if user is not None:
            client.force_login(user)
        response = client.get("/admin/")
        allowed = response.status_code == 200
        assert allowed == (role in policy.OTHER["admin: staff only"]["GET"]), (role, response.status_code)


def test_the_snapshot_sees_a_changed_state_and_a_new_row(matrix):
    """The refused-write check is only as good as its snapshot: it must see an update and an insert."""
    from certflow.applications.models import Application
    from certflow.notifications.models import Notification

    before = snapshot()
    Application.objects.filter(pk=matrix.targets["application"].kwargs["pk"]).update(status="withdrawn")
    assert snapshot() != before
    before = snapshot()
    note = Notification.objects.order_by("pk").first()
    note.pk = None
    note.save()
    assert snapshot() != before


# ---------------------------------------------------------------- the refusal rule itself (decisions LG11)


@pytest.mark.parametrize(
    ("name", "method", "role", "answer"),
    [
        ("application_detail", "GET", "anon", "login"),  # a page: the sign-in redirect
        ("application-detail", "GET", "anon", 401),  # the API: the token challenge
        ("application_detail", "GET", "ent_b", 404),  # may not see A's application
        ("application_accept", "POST", "ent_a", 403),  # sees it, may not accept it
        ("acceptance_queue", "GET", "ent_a", 403),  # names no object
        ("audit-conduct-confirm", "POST", "clerk", 403),  # audit_nc is seen as its audit
        ("change_new", "POST", "auditor", 404),  # the certificate in the query is not his to see
        ("auditor-list", "GET", "ent_a", 404),  # HIDDEN: the register
        ("auditor-candidates", "GET", "clerk", 403),  # ... but not from CB staff
        ("audit-finding-list", "GET", "pm", 404),  # HIDDEN for GET only
        ("audit-finding-list", "POST", "pm", 403),
        ("survey_questionnaire", "GET", "pm", 404),  # not the holder of the link
    ],
)
def test_the_refusal_rule_gives_each_kind_of_cell_its_answer(name, method, role, answer):
    assert role not in policy.POLICY[name][method]
    assert policy.refusal(name, method, role) == answer


class _Answer:
    def __init__(self, status_code, location=""):
        self.status_code = status_code
        self._location = location

    def get(self, header, default=""):
        return self._location if header == "Location" else default


def test_a_refused_cell_must_get_exactly_its_answer():
    assert check_cell("application_detail", "GET", "ent_b", _Answer(404)) is None
    assert "expected 404, got 403" in check_cell("application_detail", "GET", "ent_b", _Answer(403))
    # A 400 means the body was read before the caller was refused.
    assert "expected 403, got 400" in check_cell("application_accept", "POST", "ent_a", _Answer(400))
    login = resolve_url(settings.LOGIN_URL) + "?next=/"
    assert check_cell("application_detail", "GET", "anon", _Answer(302, login)) is None
    assert "got 302" in check_cell("application_detail", "GET", "anon", _Answer(302, "/elsewhere/"))
    # An allowed cell may answer 400 (an empty body), never a refusal.
    assert check_cell("application_accept", "POST", "clerk", _Answer(400)) is None
    assert "expected allowed, got refused" in check_cell("application_accept", "POST", "clerk", _Answer(403))

"""Every register endpoint × every kind of person: keepers, the auditor himself, another auditor, a clerk,
an enterprise user, anonymous. A refusal also leaves the register unchanged."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from certflow.auditors import services
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db

PEOPLE = ["programme_manager", "cb_admin", "auditor", "lead_auditor", "clerk", "user_a", "anonymous"]


@pytest.fixture
def world(auditor_profile, lead_profile, auditor, enterprise_a, enterprise_b):
    """The auditor's profile with a competence, a conflict and an unavailable period; another auditor registered."""
    day = timezone.localdate() + timedelta(days=20)
    return {
        "profile": auditor_profile,
        "competence": auditor_profile.competences.get(),
        "conflict": services.conflict_declare(
            by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询"
        ),
        "period": services.unavailability_add(by=auditor, profile=auditor_profile, start=day, end=day),
        "enterprise_b": enterprise_b,
        "day": day,
    }


def client_for(request, who):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(request.getfixturevalue(who))
    return client


# Expected status by person for each request; "self" is the auditor whose profile it is.
CASES = {
    "retrieve": (
        "get",
        "/api/v1/auditors/{profile}/",
        None,
        {"programme_manager": 200, "cb_admin": 200, "auditor": 200, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "update": (
        "patch",
        "/api/v1/auditors/{profile}/",
        {"notes": "改"},
        {"programme_manager": 200, "cb_admin": 200, "auditor": 403, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "competence_list": (
        "get",
        "/api/v1/auditor-competences/{competence}/",
        None,
        {"programme_manager": 200, "cb_admin": 200, "auditor": 200, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "competence_add": (
        "post",
        "/api/v1/auditor-competences/",
        {"profile": "{profile}", "category": "custom_apparel"},
        # Only keepers add competences: anyone else is refused before the body is read (decisions LG11).
        {"programme_manager": 201, "cb_admin": 201, "auditor": 403, "lead_auditor": 403, "clerk": 403, "user_a": 404},
    ),
    "competence_remove": (
        "post",
        "/api/v1/auditor-competences/{competence}/remove/",
        {},
        {"programme_manager": 200, "cb_admin": 200, "auditor": 403, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "conflict_read": (
        "get",
        "/api/v1/auditor-conflicts/{conflict}/",
        None,
        {"programme_manager": 200, "cb_admin": 200, "auditor": 200, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "conflict_declare": (
        "post",
        "/api/v1/auditor-conflicts/",
        {"profile": "{profile}", "enterprise": "{enterprise_b}", "reason": "亲属任职"},
        {"programme_manager": 201, "cb_admin": 201, "auditor": 201, "lead_auditor": 400, "clerk": 403, "user_a": 404},
    ),
    "conflict_withdraw": (
        "post",
        "/api/v1/auditor-conflicts/{conflict}/withdraw/",
        {"reason": "已终止"},
        {"programme_manager": 200, "cb_admin": 200, "auditor": 403, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "unavailability_read": (
        "get",
        "/api/v1/auditor-unavailability/{period}/",
        None,
        {"programme_manager": 200, "cb_admin": 200, "auditor": 200, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
    "unavailability_add": (
        "post",
        "/api/v1/auditor-unavailability/",
        {"profile": "{profile}", "start": "{next_day}", "end": "{next_day}"},
        {"programme_manager": 201, "cb_admin": 201, "auditor": 201, "lead_auditor": 400, "clerk": 403, "user_a": 404},
    ),
    "unavailability_remove": (
        "post",
        "/api/v1/auditor-unavailability/{period}/remove/",
        {},
        {"programme_manager": 200, "cb_admin": 200, "auditor": 200, "lead_auditor": 404, "clerk": 404, "user_a": 404},
    ),
}


def fill(value, world):
    names = {
        "profile": world["profile"].pk,
        "competence": world["competence"].pk,
        "conflict": world["conflict"].pk,
        "period": world["period"].pk,
        "enterprise_b": world["enterprise_b"].pk,
        "next_day": (world["day"] + timedelta(days=1)).isoformat(),
    }
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value.count("{") == 1:
        return names[value[1:-1]]
    return value.format(**names) if isinstance(value, str) else value


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_endpoint_for_every_person(request, world, case, who):
    method, url, body, expected = CASES[case]
    events = Event.objects.count()
    client = client_for(request, who)
    response = getattr(client, method)(fill(url, world), fill(body, world), format="json")
    if who == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected[who], response.content
    wrote = method != "get" and response.status_code in (200, 201)
    assert (Event.objects.count() > events) == wrote


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("programme_manager", 200),
        ("cb_admin", 200),
        ("auditor", 403),
        ("clerk", 403),
        ("user_a", 404),
    ],
)
def test_candidates_are_for_keepers(request, world, enterprise_a, who, status):
    query = {"enterprise": enterprise_a.pk, "categories": "custom_furniture", "days": world["day"].isoformat()}
    assert client_for(request, who).get("/api/v1/auditors/candidates/", query).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 404), ("auditor", 200), ("lead_auditor", 200), ("clerk", 404), ("user_a", 404)],
)
def test_me_for_every_person(request, world, who, status):
    assert client_for(request, who).get("/api/v1/auditors/me/").status_code == status


def test_anonymous_gets_nothing(world):
    for url in ("/api/v1/auditors/", "/api/v1/auditors/me/", "/api/v1/auditor-unavailability/"):
        assert APIClient().get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "visible"),
    [("programme_manager", 2), ("cb_admin", 2), ("auditor", 1), ("lead_auditor", 1), ("clerk", 0)],
)
def test_lists_show_only_what_the_person_may_see(request, world, who, visible):
    client = client_for(request, who)
    assert client.get("/api/v1/auditors/").json()["count"] == visible
    conflicts = client.get("/api/v1/auditor-conflicts/").json()["count"]
    assert conflicts == (1 if who in ("programme_manager", "cb_admin", "auditor") else 0)

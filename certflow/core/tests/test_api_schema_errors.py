"""The schema declares the refusals each operation answers, and the answers keep to the schema.

These pin what the schemathesis run (scripts/api_fuzz.py, docs/decisions.d/apifuzz.md) found:
undocumented 400/403/404/429, PDF-typed refusals, bare-list error bodies, times and nulls that the
schema described wrongly, a list described as a page.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from certflow.core.api_schema import ERROR_COMPONENT
from certflow.core.uploads import KINDS

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = f"#/components/schemas/{ERROR_COMPONENT}"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def declares_error(operation, code) -> bool:
    response = operation["responses"].get(code)
    return bool(response) and response.get("content", {}).get("application/json", {}).get("schema") == {
        "$ref": ERROR_REF
    }


def test_the_error_format_is_a_component(schema):
    error = schema["components"]["schemas"][ERROR_COMPONENT]
    assert error["type"] == "object"
    assert {"detail", "zh", "en", "code"} <= set(error["properties"])
    assert error["additionalProperties"] is True  # field name -> messages


def test_every_operation_behind_a_login_declares_401_and_403_and_public_ones_do_not(schema):
    # drf-spectacular lists the empty requirement {} for operations anyone may call (AllowAny), or no
    # requirement at all when the view takes no credentials.
    public = {(path, method) for path, method, op in operations(schema) if {} in op.get("security", [{}])}
    assert ("/api/v1/auth/token/", "post") in public
    assert ("/api/v1/public/certificates/{number}", "get") in public
    wrong = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if ("403" in operation["responses"]) == ((path, method) in public)
        or ("401" in operation["responses"]) == ((path, method) in public)
    ]
    assert wrong == []


def test_a_call_without_credentials_gets_401_with_the_token_challenge(db):
    response = APIClient().get("/api/v1/applications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-real-token").get("/api/v1/applications/")
    assert bad.status_code == 401 and bad["WWW-Authenticate"] == "Token"


def test_404_is_declared_behind_a_login_and_wherever_an_identifier_a_page_or_a_format_is_given(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if (
            "403" in operation["responses"]
            or any(p["in"] == "path" or p["name"] in ("page", "format") for p in operation.get("parameters", []))
        )
        and "404" not in operation["responses"]
    ]
    assert missing == []
    # The token exchange names nothing that could be missing.
    assert "404" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_a_register_that_is_not_yours_answers_the_declared_404(schema, user_a):
    api = APIClient()
    api.force_authenticate(user_a)
    assert api.get("/api/v1/auditors/me/").status_code == 404
    assert "404" in schema["paths"]["/api/v1/auditors/me/"]["get"]["responses"]


def test_every_write_declares_400_in_the_error_format(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if method != "get" and "400" not in operation["responses"]
    ]
    assert missing == []
    assert declares_error(schema["paths"]["/api/v1/enterprises/"]["post"], "400")
    # An operation's own 400 (the token view's refusals) is kept, not overwritten.
    assert "400" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/public/complaints", "post"),
        ("/api/v1/public/certificates/{number}", "get"),
    ],
)
def test_throttled_operations_declare_429(schema, path, method):
    assert "429" in schema["paths"][path][method]["responses"]


def test_unthrottled_operations_do_not_declare_429(schema):
    assert "429" not in schema["paths"]["/api/v1/enterprises/"]["get"]["responses"]


def test_times_of_day_are_described_as_drf_writes_them(schema):
    # JSON Schema's "time" format demands an offset; DRF writes "09:00:00". The pattern is the contract.
    slot = schema["components"]["schemas"]["PlanningSlot"]["properties"]["start"]
    assert slot.get("format") != "time"
    assert re.fullmatch(slot["pattern"], "09:00:00")
    assert re.fullmatch(slot["pattern"], "09:30")
    assert not re.fullmatch(slot["pattern"], "25:00:00")


def test_audit_references_are_nullable(schema):
    audit = schema["components"]["schemas"]["Audit"]["properties"]
    assert audit["application_reference"]["nullable"] is True  # surveillance audits have no application
    assert audit["certificate_number"]["nullable"] is True  # initial audits have no certificate yet


def test_audit_candidates_is_a_plain_list(schema):
    response = schema["paths"]["/api/v1/audits/{id}/candidates/"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.parametrize(
    "path", ["/api/v1/material-files/{id}/download/", "/api/v1/corrective-actions/{id}/files/{file_id}/"]
)
def test_stored_file_downloads_declare_every_accepted_type(schema, path):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert set(content) == {kind.content_type for kind in KINDS.values()}


# --- answers -------------------------------------------------------------------------------------------


def test_a_refused_pdf_download_answers_json_not_pdf(clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    # The certificate PDF action negotiates its PDF renderer first; a refusal has no PDF to send.
    response = api.get("/api/v1/certificates/999999/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_bare_list_validation_error_is_wrapped_under_detail(cb_admin, user_a):
    api = APIClient()
    api.force_authenticate(cb_admin)
    response = api.post(f"/api/v1/users/{user_a.pk}/reset-second-factor/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body["detail"], list) and body["detail"]


def test_an_unknown_api_address_answers_json_and_a_page_address_html(client, clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    # A float where the route wants digits matches no route at all: Django's 404, not DRF's.
    response = api.get("/api/v1/users/-1.5e-07/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到 / not found"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_an_export_format_no_renderer_offers_is_a_declared_404(schema, clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get("/api/v1/certificates/export/", {"format": "AAA"}).status_code == 404
    assert "404" in schema["paths"]["/api/v1/certificates/export/"]["get"]["responses"]


def test_a_month_in_the_path_that_is_no_month_is_a_declared_400(schema, programme_manager):
    api = APIClient()
    api.force_authenticate(programme_manager)
    response = api.get("/api/v1/reports/monthly/2026-13/")
    assert response.status_code == 400
    assert response.json()["en"]
    assert "400" in schema["paths"]["/api/v1/reports/monthly/{month}/"]["get"]["responses"]


def test_too_many_form_fields_is_a_json_400_under_the_api(clerk, settings):
    # Django refuses the body before DRF sees it (TooManyFieldsSent); schemathesis' coverage phase sent
    # a multipart body with thousands of "ids" and got the HTML "Bad Request (400)" page.
    api = APIClient()
    api.force_authenticate(clerk)
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    response = api.post("/api/v1/notifications/mark-read/", {"ids": ["1"] * fields}, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "bad_request"

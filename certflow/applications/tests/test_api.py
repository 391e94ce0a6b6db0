"""The /api/v1/ routes of applications: the same services and rules as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certflow.applications.domain import ApplicationStatus as S
from certflow.applications.models import Application, MaterialFile
from certflow.applications.tests.factories import draft, pdf_bytes, submitted, supplement_requested
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def test_enterprise_user_creates_an_application_for_their_enterprise(api, enterprise_a, user_a):
    response = api(user_a).post(
        "/api/v1/applications/", {"enterprise": enterprise_a.pk, "application_type": "legacy_transition"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["application_type"], body["enterprise"]["id"]) == (
        "draft",
        "legacy_transition",
        enterprise_a.pk,
    )
    assert body["reference"].startswith("SQ")
    assert any("营业执照" in line["zh"] for line in body["missing"])


def test_another_enterprise_id_and_a_missing_one_get_the_same_answer(api, user_a, enterprise_b):
    client = api(user_a)
    foreign = client.post("/api/v1/applications/", {"enterprise": enterprise_b.pk}, format="json")
    missing = client.post("/api/v1/applications/", {"enterprise": 999_999}, format="json")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    assert enterprise_b.name not in foreign.content.decode()
    assert not Application.objects.exists()


def test_staff_cannot_create_applications(api, clerk, enterprise_a):
    assert api(clerk).post("/api/v1/applications/", {"enterprise": enterprise_a.pk}, format="json").status_code == 403


def test_list_shows_own_applications_and_filters_by_status(api, enterprise_a, user_a, enterprise_b, user_b, clerk):
    mine = draft(enterprise_a, user_a)
    submitted(enterprise_b, user_b)
    body = api(user_a).get("/api/v1/applications/").json()
    assert [row["reference"] for row in body["results"]] == [mine.reference]
    staff = api(clerk).get("/api/v1/applications/?status=submitted").json()
    assert [row["enterprise"]["id"] for row in staff["results"]] == [enterprise_b.pk]


def test_patch_changes_details_and_declaration_of_a_draft(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = api(user_a).patch(
        f"/api/v1/applications/{application.pk}/",
        {
            "categories": ["other"],
            "other_category_description": "定制眼镜",
            "service_stages": ["solution_design"],
            "declaration_made": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    application.refresh_from_db()
    assert application.categories == ["other"]
    assert application.declaration_made


@pytest.mark.parametrize(
    "field", [{"status": "accepted"}, {"reference": "X"}, {"enterprise": 2}, {"decision_reason": "x"}]
)
def test_patch_refuses_fields_clients_may_not_set(api, enterprise_a, user_a, field):
    application = draft(enterprise_a, user_a)
    events = Event.objects.count()
    response = api(user_a).patch(f"/api/v1/applications/{application.pk}/", field, format="json")
    assert response.status_code == 400
    assert list(field) == list(response.json())
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.status, fresh.reference, fresh.enterprise_id) == (S.DRAFT, application.reference, enterprise_a.pk)
    assert Event.objects.count() == events


def test_patch_after_submission_is_refused(api, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    response = api(user_a).patch(f"/api/v1/applications/{application.pk}/", {"service_description": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "locked"


def test_put_and_delete_of_an_application_are_not_offered(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    assert api(user_a).put(f"/api/v1/applications/{application.pk}/", {}, format="json").status_code == 405
    assert api(user_a).delete(f"/api/v1/applications/{application.pk}/").status_code == 405


def test_sites_are_listed_added_and_removed(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    client = api(user_a)
    created = client.post(
        f"/api/v1/applications/{application.pk}/sites/",
        {"kind": "inspection_lab", "name": "检测室", "address": "深圳"},
        format="json",
    )
    assert created.status_code == 201
    assert [s["name"] for s in client.get(f"/api/v1/applications/{application.pk}/sites/").json()] == ["检测室"]
    removed = client.delete(f"/api/v1/applications/{application.pk}/sites/{created.json()['id']}/")
    assert removed.status_code == 204
    assert client.get(f"/api/v1/applications/{application.pk}/sites/").json() == []
    assert client.delete(f"/api/v1/applications/{application.pk}/sites/{created.json()['id']}/").status_code == 404


def test_bad_site_kind_is_a_400(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/sites/", {"kind": "garage", "name": "x", "address": "y"}, format="json"
    )
    assert response.status_code == 400


def test_materials_upload_new_version_list_and_download(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    client = api(user_a)
    url = f"/api/v1/applications/{application.pk}/materials/"
    first = client.post(
        url, {"material": "company_profile", "file": SimpleUploadedFile("简介.pdf", pdf_bytes("1"))}, format="multipart"
    ).json()
    second = client.post(
        url,
        {
            "material": "company_profile",
            "file": SimpleUploadedFile("简介2.pdf", pdf_bytes("2")),
            "replaces": first["id"],
        },
        format="multipart",
    )
    assert second.status_code == 201
    assert (second.json()["version"], second.json()["replaces"]) == (2, first["id"])
    listed = {row["id"]: row["current"] for row in client.get(url).json()}
    assert listed == {first["id"]: False, second.json()["id"]: True}
    download = client.get(second.json()["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E7%AE%80%E4%BB%8B2.pdf" in download["Content-Disposition"]


def test_replacing_a_file_of_another_application_is_refused(api, enterprise_a, user_a):
    one, other = draft(enterprise_a, user_a), draft(enterprise_a, user_a)
    foreign = MaterialFile.objects.get(
        pk=api(user_a)
        .post(
            f"/api/v1/applications/{other.pk}/materials/",
            {"material": "company_profile", "file": SimpleUploadedFile("a.pdf", pdf_bytes("a"))},
            format="multipart",
        )
        .json()["id"]
    )
    response = api(user_a).post(
        f"/api/v1/applications/{one.pk}/materials/",
        {"material": "company_profile", "file": SimpleUploadedFile("b.pdf", pdf_bytes("b")), "replaces": foreign.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "replaces" in response.json()


def test_unknown_material_is_a_400(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "tax_return", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        format="multipart",
    )
    assert response.status_code == 400


def test_withdrawing_a_file_of_a_draft(api, enterprise_a, user_a, user_b):
    application = draft(enterprise_a, user_a)
    file = (
        api(user_a)
        .post(
            f"/api/v1/applications/{application.pk}/materials/",
            {"material": "company_profile", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
            format="multipart",
        )
        .json()
    )
    assert api(user_b).post(f"/api/v1/material-files/{file['id']}/withdraw/").status_code == 404
    assert api(user_a).post(f"/api/v1/material-files/{file['id']}/withdraw/").status_code == 204
    assert MaterialFile.objects.get(pk=file["id"]).withdrawn_at is not None


def test_submit_incomplete_is_a_400_with_both_languages(api, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = api(user_a).post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert "申请尚不完整" in body["zh"] and "incomplete" in body["en"]


def test_the_whole_path_through_the_api(api, enterprise_a, user_a, clerk):
    application = draft(enterprise_a, user_a, complete=True)
    enterprise, staff = api(user_a), api(clerk)
    assert enterprise.post(f"/api/v1/applications/{application.pk}/submit/").json()["status"] == "submitted"
    supplement = staff.post(
        f"/api/v1/applications/{application.pk}/request-supplement/",
        {"items": {"business_licence": "营业执照已过期"}, "message": "请更新"},
        format="json",
    )
    assert supplement.status_code == 200
    body = supplement.json()
    assert body["status"] == "supplement_requested"
    assert body["supplement_requests"][0]["items"] == [{"material": "business_licence", "message": "营业执照已过期"}]
    assert enterprise.post(f"/api/v1/applications/{application.pk}/resubmit/").status_code == 400
    enterprise.post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "business_licence", "file": SimpleUploadedFile("新执照.pdf", pdf_bytes("new"))},
        format="multipart",
    )
    assert enterprise.post(f"/api/v1/applications/{application.pk}/resubmit/").json()["status"] == "submitted"
    assert staff.post(f"/api/v1/applications/{application.pk}/accept/").json()["status"] == "accepted"


def test_bad_supplement_bodies_are_400s(api, enterprise_a, user_a, clerk):
    application = submitted(enterprise_a, user_a)
    client = api(clerk)
    url = f"/api/v1/applications/{application.pk}/request-supplement/"
    assert client.post(url, {"items": {}}, format="json").json()["code"] == "empty"
    assert client.post(url, {"items": {"x": "y"}}, format="json").json()["code"] == "unknown"
    assert client.post(url, {"items": {"business_licence": ""}}, format="json").json()["code"] == "no_message"
    assert client.post(url, {"items": "business_licence"}, format="json").status_code == 400
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_not_accept_out_of_scope(api, enterprise_a, user_a, clerk):
    application = submitted(enterprise_a, user_a)
    client = api(clerk)
    url = f"/api/v1/applications/{application.pk}/not-accept/"
    assert client.post(url, {"reason": ""}, format="json").json()["code"] == "no_reason"
    body = client.post(url, {"reason": "仅标准化商品", "out_of_scope": True}, format="json").json()
    assert (body["status"], body["out_of_scope"], body["decision_reason"]) == ("not_accepted", True, "仅标准化商品")


def test_withdraw_through_the_api(api, enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    response = api(user_a).post(f"/api/v1/applications/{application.pk}/withdraw/", {"reason": "改日"}, format="json")
    assert response.json()["status"] == "withdrawn"


def test_retrieve_shows_sites_and_no_checklist_after_submission(api, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    body = api(user_a).get(f"/api/v1/applications/{application.pk}/").json()
    assert [s["name"] for s in body["sites"]] == ["一号车间"]
    assert body["missing"] == []
    assert body["acceptance_due"] == "2026-03-09"


def test_material_file_record_is_visible_to_readers_only(api, enterprise_a, user_a, user_b, clerk):
    application = submitted(enterprise_a, user_a)
    file = application.material_files.first()
    assert api(clerk).get(f"/api/v1/material-files/{file.pk}/").json()["sha256"] == file.sha256
    assert api(user_b).get(f"/api/v1/material-files/{file.pk}/").status_code == 404

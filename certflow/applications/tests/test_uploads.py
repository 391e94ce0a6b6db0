"""Bad uploads through the page and the API: each refused with a clear message, nothing kept."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certflow.applications.models import MaterialFile
from certflow.applications.tests.factories import draft, pdf_bytes
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def stored_names(application) -> list[str]:
    # The in-memory storage of the test settings lives as long as the process, and ids repeat after a
    # rollback: compare before and after rather than expecting an empty folder.
    folder = f"applications/{application.pk}/company_profile"
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


BAD = [
    ("empty.pdf", b"", "空"),
    ("page.pdf", HTML, "HTML"),
    ("program.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "ELF"),
]


@pytest.fixture
def application(enterprise_a, user_a):
    return draft(enterprise_a, user_a)


@pytest.mark.parametrize(("name", "data", "said"), BAD)
def test_page_refuses_bad_files_and_keeps_nothing(login, user_a, application, name, data, said):
    events, before = Event.objects.count(), stored_names(application)
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    response = login(user_a).post(url, {"files": [SimpleUploadedFile(name, data)]}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-errors"' in body and name in body and said in body
    assert not MaterialFile.objects.exists()
    assert stored_names(application) == before
    assert Event.objects.count() == events


@pytest.mark.parametrize(("name", "data", "said"), BAD)
def test_api_refuses_bad_files_and_keeps_nothing(api, user_a, application, name, data, said):
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "company_profile", "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )
    assert response.status_code == 400
    assert said in response.json()["zh"]
    assert response.json()["code"].startswith("upload_")
    assert not MaterialFile.objects.exists()


def test_oversized_file_is_refused_with_the_limit(login, api, user_a, application, settings):
    settings.CERTFLOW_UPLOAD_MAX_BYTES = 1000
    big = pdf_bytes("x" * 2000)
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    response = login(user_a).post(url, {"files": [SimpleUploadedFile("big.pdf", big)]}, follow=True)
    assert "超过" in response.content.decode()
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "company_profile", "file": SimpleUploadedFile("big.pdf", big)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "upload_too_large"
    assert not MaterialFile.objects.exists()


def test_a_path_in_the_name_is_kept_as_its_last_component(login, api, user_a, application):
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    login(user_a).post(url, {"files": [SimpleUploadedFile("..\\..\\windows\\简介.pdf", pdf_bytes("a"))]})
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "company_profile", "file": SimpleUploadedFile("../../etc/passwd.pdf", pdf_bytes("b"))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    names = sorted(MaterialFile.objects.values_list("original_name", flat=True))
    assert names == ["passwd.pdf", "简介.pdf"]
    assert all(".." not in name for name in stored_names(application))


def test_the_same_file_twice_is_refused_clearly(login, api, user_a, application):
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    client = login(user_a)
    before = stored_names(application)
    client.post(url, {"files": [SimpleUploadedFile("a.pdf", pdf_bytes("same"))]})
    response = client.post(url, {"files": [SimpleUploadedFile("b.pdf", pdf_bytes("same"))]}, follow=True)
    assert "内容完全相同" in response.content.decode()
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "company_profile", "file": SimpleUploadedFile("c.pdf", pdf_bytes("same"))},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"
    assert MaterialFile.objects.count() == 1
    assert len(set(stored_names(application)) - set(before)) == 1


def test_a_page_upload_without_a_file_asks_for_one(login, user_a, application):
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    response = login(user_a).post(url, {}, headers={"HX-Request": "true"})
    assert "请选择要上传的文件" in response.content.decode()


def test_a_good_png_is_accepted_and_typed_by_its_content(api, user_a, application):
    from certflow.applications.tests.factories import png_bytes

    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "equipment_list", "file": io.BytesIO(png_bytes(7))},
        format="multipart",
    )
    # A file object without a name gets none from the client: it must still be judged, not crash.
    assert response.status_code in (201, 400)
    response = api(user_a).post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"material": "equipment_list", "file": SimpleUploadedFile("设备.png", png_bytes(8))},
        format="multipart",
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["content_type"]) == ("png", "image/png")

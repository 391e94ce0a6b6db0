"""Issue 10 item 2: the hostile-upload corpus through every upload door, page and API, as a user allowed to upload.

Doors: application materials, corrective-action evidence, on-site audit evidence, the survey customer list
and the legacy-certificate import, each by its page and by /api/v1/. Every file must be refused with the
inspector's own Chinese and English reason, leaving no row, no event and no stored file. Names are sent
raw in the multipart body (the test client would strip their paths), so the server sees what a hostile
browser sends. Then: stored files are never reachable by a URL, and each door's download is an attachment
that no browser renders.
"""

import html
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from certflow.applications.models import MaterialFile
from certflow.applications.tests.factories import draft
from certflow.audits.models import Finding, FindingFile
from certflow.audits.services import conduct
from certflow.audits.tests import helpers as audit_helpers
from certflow.core.backup.storage import stored_names
from certflow.core.events.models import Event
from certflow.core.tests import hostile
from certflow.core.tests.hostile.corpus import CLASSES, CORPUS
from certflow.core.uploads import UploadRejected, inspect_upload
from certflow.lifecycle.models import LegacyImport
from certflow.reviews import services as review_services
from certflow.reviews.models import CorrectiveAction, CorrectiveEvidence, Nonconformity
from certflow.reviews.tests.helpers import TODAY, accepted_application, record_all
from certflow.surveys.models import ImportJob
from certflow.surveys.services import survey_create

pytestmark = pytest.mark.django_db

BOUNDARY = "certflow-hostile-7f3a9c"
ACTION = {"cause_analysis": "原因分析", "correction": "纠正", "corrective_action": "纠正措施"}
TRACEBACK = re.compile(r"Traceback|OSError|Errno|File \"/", re.I)


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body with the file name exactly as given (RFC 2231 `filename*`, so NUL and CR/LF survive
    the transport and reach Django's parser, which is what a crafted request does)."""
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for key, name, data in files:
        out.write(
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{key}\"; filename*=UTF-8''{quote(name, safe='')}"
            "\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def post(client, url: str, fields: dict, files: list, **extra):
    return client.post(url, multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


def page_client(user) -> Client:
    client = Client(raise_request_exception=False)  # what the browser gets: a 500 page is an answer, not a crash
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def storage_snapshot() -> set[str]:
    return set(stored_names(default_storage))


def server_name(name: str) -> str | None:
    """The name Django hands to the view (its multipart parser drops paths and unprintable characters)."""
    return MultiPartParser.sanitize_file_name(MultiPartParser, name)


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return html.unescape(response.content.decode())


@dataclass
class Door:
    name: str
    allowed: frozenset[str]
    limit: int
    send: object  # (name, data) -> response
    rows: object  # () -> tuple of counts that an accepted file would change
    api: bool
    client: object = None  # the page door's browser (to switch its language)


def expected_refusal(door: Door, name: str, data: bytes) -> UploadRejected | None:
    """What the inspector says about this file at this door (None: the framework refuses it earlier)."""
    sent = server_name(name)
    if not sent or not data:
        return None  # no usable name, or empty: Django's/DRF's file field refuses before the inspector
    try:
        inspect_upload(sent, io.BytesIO(data), allowed=door.allowed, max_bytes=door.limit)
    except UploadRejected as exc:
        return exc
    raise AssertionError(f"{name!r} passes the inspector at {door.name}: not hostile")


def push_corpus(doors: list[Door], *, corpus=None, english: bool = False) -> list[str]:
    """Send every corpus file through every door; return what went wrong (empty when all were refused well).

    Pages speak the visitor's language (Chinese first): `english` asks them in English. The API gives both."""
    problems = []
    for door in doors:
        if door.client is not None:
            door.client.cookies["django_language"] = "en" if english else "zh-hans"
        for item in CORPUS if corpus is None else corpus:
            data = item.data(door.limit)
            before = (door.rows(), Event.objects.count(), storage_snapshot())
            response = door.send(item.name, data)
            after = (door.rows(), Event.objects.count(), storage_snapshot())
            text = text_of(response)
            label = f"{door.name} ← {item.klass}: {item.name!r}"
            if response.status_code >= 500 or TRACEBACK.search(text):
                problems.append(f"{label}: {response.status_code} with an error page")
            if door.api and response.status_code != 400:
                problems.append(f"{label}: API answered {response.status_code}, not 400")
            if after != before:
                problems.append(f"{label}: ACCEPTED or left something behind {before[:2]} → {after[:2]}")
            refusal = expected_refusal(door, item.name, data)
            if refusal is not None:
                wanted = (refusal.zh, refusal.en) if door.api else (refusal.en,) if english else (refusal.zh,)
                for reason in wanted:
                    if reason not in text:
                        problems.append(f"{label}: the reason {reason!r} is not in the answer")
            elif english and not door.api:
                if not re.search(r"empty|no file|select|choose", text, re.I):
                    problems.append(f"{label}: no clear English message for an empty or nameless file")
            elif not re.search(r"[\u4e00-\u9fff]", text) or ("空" not in text and "选择" not in text):
                problems.append(f"{label}: no clear message for an empty or nameless file")
    return problems


# --- the worlds the doors need -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quiet_world(settings, tmp_path, monkeypatch):
    settings.CERTFLOW_VAR_DIR = tmp_path
    settings.CERTFLOW_SURVEY_IMPORT_MODE = "inline"
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    for module in ("certflow.reviews.views.nonconformities", "certflow.reviews.api.viewsets"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    yield
    clear_calendar_cache()
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a page asked in English leaves English active in the thread


@pytest.fixture
def application_doors(enterprise_a, user_a, settings):
    application = draft(enterprise_a, user_a)
    page, api = page_client(user_a), api_client(user_a)
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    api_url = f"/api/v1/applications/{application.pk}/materials/"
    limit = settings.CERTFLOW_UPLOAD_MAX_BYTES
    kinds = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls"})

    def rows():
        return (MaterialFile.objects.count(),)

    return application, [
        Door(
            "application materials (page)",
            kinds,
            limit,
            lambda n, d: post(page, url, {}, [("files", n, d)], follow=True),
            rows,
            False,
            page,
        ),
        Door(
            "application materials (API)",
            kinds,
            limit,
            lambda n, d: post(api, api_url, {"material": "company_profile"}, [("file", n, d)]),
            rows,
            True,
        ),
    ]


@pytest.fixture
def nonconformity(enterprise_a, user_a, clerk, auditor):
    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    review = review_services.review_assign(by=clerk, application=application, reviewer=auditor)
    record_all(review, auditor, {"4.2-1": "major"})
    review_services.review_complete(by=auditor, review=review, summary="存在一项不符合。", today=TODAY)
    return Nonconformity.objects.get(review=review)


@pytest.fixture
def evidence_doors(nonconformity, user_a, settings):
    page, api = page_client(user_a), api_client(user_a)
    url = reverse("corrective_action_submit", args=[nonconformity.pk])
    limit = settings.CERTFLOW_UPLOAD_MAX_BYTES
    kinds = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls"})

    def rows():
        return CorrectiveAction.objects.count(), CorrectiveEvidence.objects.count()

    return nonconformity, [
        Door(
            "corrective-action evidence (page)",
            kinds,
            limit,
            lambda n, d: post(page, url, ACTION, [("files", n, d)]),
            rows,
            False,
            page,
        ),
        Door(
            "corrective-action evidence (API)",
            kinds,
            limit,
            lambda n, d: post(
                api, "/api/v1/corrective-actions/", {"nonconformity": nonconformity.pk, **ACTION}, [("files", n, d)]
            ),
            rows,
            True,
        ),
    ]


@pytest.fixture
def started_audit(enterprise_a, user_a, clerk, auditor, programme_manager, lead_auditor):
    passed = audit_helpers.passed_application(enterprise=enterprise_a, user=user_a, clerk=clerk, reviewer=auditor)
    lead = audit_helpers.registered_auditor(keeper=programme_manager, user=lead_auditor, lead=True)
    member = audit_helpers.registered_auditor(keeper=programme_manager, email="member@cb.example")
    audit = audit_helpers.notified_audit(
        planner=programme_manager, application=passed, enterprise_user=user_a, lead=lead, members=[member]
    )
    audit = conduct.audit_start(by=lead_auditor, audit=audit, today=audit_helpers.AUDIT_DAYS[0])
    conduct.finding_record(
        by=member, audit=audit, item_id="4.1-1", result="minor", note="现场发现：记录不全", na_reason="", revision=0
    )
    return audit, member


@pytest.fixture
def finding_doors(started_audit, settings):
    audit, member = started_audit
    finding = Finding.objects.get(audit=audit, item_id="4.1-1")
    page, api = page_client(member), api_client(member)
    url = reverse("audit_finding_file_add", args=[audit.pk, "4.1-1"])
    limit = settings.CERTFLOW_UPLOAD_MAX_BYTES
    kinds = frozenset({"jpeg", "png", "pdf"})

    def rows():
        return (FindingFile.objects.count(),)

    return started_audit, [
        Door(
            "audit finding evidence (page)",
            kinds,
            limit,
            lambda n, d: post(page, url, {}, [("file", n, d)], follow=True),
            rows,
            False,
            page,
        ),
        Door(
            "audit finding evidence (API)",
            kinds,
            limit,
            lambda n, d: post(api, f"/api/v1/audit-findings/{finding.pk}/files/", {}, [("file", n, d)]),
            rows,
            True,
        ),
    ]


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    return survey_create(by=clerk, application=application)


@pytest.fixture
def survey_doors(survey, user_a, settings):
    page, api = page_client(user_a), api_client(user_a)
    limit = settings.CERTFLOW_SURVEY_LIST_MAX_BYTES
    kinds = frozenset({"csv", "xlsx"})

    def rows():
        return (ImportJob.objects.count(),)

    return survey, [
        Door(
            "survey customer list (page)",
            kinds,
            limit,
            lambda n, d: post(page, reverse("survey_upload", args=[survey.pk]), {}, [("file", n, d)]),
            rows,
            False,
            page,
        ),
        Door(
            "survey customer list (API)",
            kinds,
            limit,
            lambda n, d: post(api, f"/api/v1/surveys/{survey.pk}/upload/", {}, [("file", n, d)]),
            rows,
            True,
        ),
    ]


@pytest.fixture
def legacy_doors(programme_manager, settings):
    page, api = page_client(programme_manager), api_client(programme_manager)
    limit = settings.CERTFLOW_UPLOAD_MAX_BYTES
    kinds = frozenset({"csv", "xlsx"})

    def rows():
        from certflow.certificates.models import Certificate

        return LegacyImport.objects.count(), Certificate.objects.count()

    return None, [
        Door(
            "legacy import (page)",
            kinds,
            limit,
            lambda n, d: post(page, reverse("legacy_overview"), {}, [("file", n, d)]),
            rows,
            False,
            page,
        ),
        Door(
            "legacy import (API)",
            kinds,
            limit,
            lambda n, d: post(api, "/api/v1/legacy-imports/", {}, [("file", n, d)]),
            rows,
            True,
        ),
    ]


DOOR_FIXTURES = ("application_doors", "evidence_doors", "finding_doors", "survey_doors", "legacy_doors")


# --- 1. nothing hostile gets in ------------------------------------------------------------------------


def test_the_corpus_covers_every_class_of_the_issue():
    assert set(CLASSES) >= {
        "oversized",
        "extension vs content",
        "HTML/SVG as PDF",
        "zip bomb",
        "path in the name",
        "control characters in the name",
        "zero bytes",
        "EICAR",
        "PDF active content",
        "macros",
        "encrypted Office",
    }
    names = {h.name for h in CORPUS}
    assert {"bomb.docx", "bomb.xlsx", "../../etc/passwd.pdf", "C:\\x\\y.pdf", "eicar.docx"} <= names
    # The oversized file is built to the door's limit, one byte over, and is a valid PDF otherwise.
    oversized = next(h for h in CORPUS if h.klass == "oversized")
    assert len(oversized.data(5000)) == 5001
    inspect_upload("ok.pdf", io.BytesIO(oversized.data(5000)), allowed=frozenset({"pdf"}), max_bytes=5001)


@pytest.mark.parametrize("doors_fixture", DOOR_FIXTURES)
def test_every_hostile_file_is_refused_clearly_at_every_door_and_leaves_nothing(request, doors_fixture):
    _, doors = request.getfixturevalue(doors_fixture)
    problems = push_corpus(doors)
    assert problems == [], "\n".join(problems)
    # The figure of docs/assurance.md: N files × M doors, 0 accepted (printed with -s).
    print(f"\n{doors_fixture}: {len(CORPUS)} hostile files × {len(doors)} doors: 0 accepted")


ONE_PER_CLASS = tuple({h.klass: h for h in reversed(CORPUS)}.values())


@pytest.mark.parametrize("doors_fixture", DOOR_FIXTURES)
def test_the_pages_give_the_reason_in_english_to_an_english_visitor(request, doors_fixture):
    _, doors = request.getfixturevalue(doors_fixture)
    pages = [door for door in doors if not door.api]
    assert len(pages) == 1
    problems = push_corpus(pages, corpus=ONE_PER_CLASS, english=True)
    assert problems == [], "\n".join(problems)


# --- 2. a path in the name never becomes a path in storage ---------------------------------------------

PATH_NAMES = ("../../etc/passwd.pdf", "C:\\x\\y.pdf", "..\\..\\windows\\简介.pdf", "a\x00b\x1f.pdf", "/abs/olute.pdf")
STORED = re.compile(r"[a-z0-9_/-]+/[0-9a-f]{32}\.pdf")


def _assert_safe(original_names, storage_names):
    for original in original_names:
        assert original and not re.search(r"[/\\\x00-\x1f]|\.\.", original), original
    for stored in storage_names:
        assert STORED.fullmatch(stored) and ".." not in stored, stored


def test_a_path_in_the_name_is_never_a_path_in_storage(application_doors, evidence_doors, finding_doors, user_a):
    _, (app_page, app_api) = application_doors
    nonconformity, _ = evidence_doors
    _, (finding_page, finding_api) = finding_doors
    already = {model: set(model.objects.values_list("pk", flat=True)) for model in (MaterialFile, FindingFile)}
    for index, name in enumerate(PATH_NAMES):
        for page, api, prefix in ((app_page, app_api, b"app"), (finding_page, finding_api, b"audit")):
            response = (page if index % 2 else api).send(name, hostile.pdf(comment=b"%s %d" % (prefix, index)))
            assert response.status_code in (200, 201), text_of(response)
    files = [("files", name, hostile.pdf(comment=b"nc %d" % i)) for i, name in enumerate(PATH_NAMES)]
    answer = post(
        api_client(user_a), "/api/v1/corrective-actions/", {"nonconformity": nonconformity.pk, **ACTION}, files
    )
    assert answer.status_code == 201, text_of(answer)
    for model in (MaterialFile, FindingFile, CorrectiveEvidence):
        new = model.objects.exclude(pk__in=already.get(model, ()))
        rows = list(new.values_list("original_name", "storage_name"))
        assert len(rows) == len(PATH_NAMES), model
        _assert_safe([r[0] for r in rows], [r[1] for r in rows])
    assert set(MaterialFile.objects.exclude(pk__in=already[MaterialFile]).values_list("original_name", flat=True)) == {
        "passwd.pdf",
        "y.pdf",
        "简介.pdf",
        "ab.pdf",
        "olute.pdf",
    }


def test_the_check_sees_an_accepted_file_so_the_figure_can_fail(application_doors, monkeypatch):
    """The harness itself: a harmless PDF slipped into the corpus is reported as accepted at both doors."""
    from certflow.core.tests.hostile import corpus

    _, doors = application_doors
    sent = iter(range(10))  # a new content each time, or the second door would refuse a duplicate
    harmless = corpus.Hostile("harmless", "ok.pdf", lambda limit: hostile.pdf(comment=b"harmless %d" % next(sent)))
    monkeypatch.setattr(f"{__name__}.CORPUS", (harmless,))
    monkeypatch.setattr(f"{__name__}.expected_refusal", lambda door, name, data: None)
    problems = push_corpus(doors)
    assert any("ACCEPTED" in p and "(page)" in p for p in problems)
    assert any("ACCEPTED" in p and "(API)" in p for p in problems)


# --- 3. no direct URL; downloads only through authorised views with safe headers ------------------------

PREFIXES = ("/media/", "/media-not-served/", "/", "/static/", "/files/", "/uploads/", "/storage/", "/var/media/")


def test_stored_files_are_never_reachable_by_a_direct_url(application_doors, user_a):
    _, (_, app_api) = application_doors
    assert app_api.send("简介.pdf", hostile.pdf(comment=b"direct")).status_code == 201
    stored = MaterialFile.objects.latest("pk").storage_name
    assert default_storage.exists(stored)
    for client in (Client(), page_client(user_a)):
        for prefix in PREFIXES:
            for path in (prefix + stored, prefix + "anything.pdf", prefix + stored.rsplit("/", 1)[-1]):
                assert client.get(path).status_code == 404, path


def _assert_safe_download(response, content_type: str):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )
    assert response["Content-Type"] == content_type
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_each_door_downloads_only_through_an_authorised_view_as_a_sandboxed_attachment(
    application_doors, evidence_doors, finding_doors, user_a, user_b, auditor
):
    _, (_, app_api) = application_doors
    nonconformity, (_, evidence_api) = evidence_doors
    (audit, member), (_, finding_api) = finding_doors
    assert app_api.send("材料.pdf", hostile.pdf(comment=b"dl app")).status_code == 201
    assert evidence_api.send("证据.pdf", hostile.pdf(comment=b"dl nc")).status_code == 201
    assert finding_api.send("现场.pdf", hostile.pdf(comment=b"dl audit")).status_code == 201
    material = MaterialFile.objects.latest("pk")
    evidence = CorrectiveEvidence.objects.latest("pk")
    photo = FindingFile.objects.latest("pk")
    downloads = [
        (user_a, page_client, reverse("material_file_download", args=[material.pk])),
        (user_a, api_client, f"/api/v1/material-files/{material.pk}/download/"),
        (auditor, page_client, reverse("corrective_evidence_download", args=[evidence.pk])),
        (auditor, api_client, f"/api/v1/corrective-actions/{evidence.action_id}/files/{evidence.pk}/"),
        (member, page_client, reverse("audit_finding_file", args=[audit.pk, photo.pk])),
    ]
    for user, make, url in downloads:
        _assert_safe_download(make(user).get(url), "application/pdf")
        # Another enterprise's user learns nothing, not even that the file exists.
        assert make(user_b).get(url).status_code == 404, url

"""Who reaches what: every role inside and outside the review, pages and downloads (404 hides, 403 refuses)."""

import pytest
from django.urls import reverse

from certflow.reviews.models import CorrectiveAction, Nonconformity
from certflow.reviews.tests.helpers import Unchanged, pdf_file

pytestmark = pytest.mark.django_db

READERS = ["auditor", "clerk", "programme_manager", "committee_member", "cb_admin", "user_a"]
OUTSIDERS = ["lead_auditor", "user_b"]  # an auditor not assigned; a user of another enterprise


@pytest.fixture
def as_user(client, request):
    def _as(name):
        client.force_login(request.getfixturevalue(name))
        return client

    return _as


@pytest.mark.parametrize("who", READERS)
def test_the_review_page_is_readable_by_the_reviewer_cb_roles_and_the_enterprise(as_user, review, who):
    assert as_user(who).get(reverse("review_detail", args=[review.pk])).status_code == 200


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_and_no_data(as_user, completed_review, major, submitted, who):
    client = as_user(who)
    evidence_action = CorrectiveAction.objects.get(pk=submitted.pk)
    urls = [
        reverse("review_detail", args=[completed_review.pk]),
        reverse("review_report", args=[completed_review.pk]),
        reverse("nonconformity_detail", args=[major.pk]),
        reverse("application_nonconformities", args=[completed_review.application_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "甲定制家居有限公司" not in response.content.decode("utf-8", "replace")
    with Unchanged(major, evidence_action):
        assert client.post(reverse("corrective_action_accept", args=[submitted.pk])).status_code == 404
        assert (
            client.post(
                reverse("corrective_action_submit", args=[major.pk]),
                {"cause_analysis": "a", "correction": "b", "corrective_action": "c"},
            ).status_code
            == 404
        )
    listing = client.get(reverse("nonconformity_list")).content.decode()
    assert major.number not in listing


@pytest.mark.parametrize(("who", "status"), [("user_a", 403), ("programme_manager", 403), ("clerk", 403)])
def test_only_the_assigned_reviewer_records_the_checklist(as_user, review, who, status):
    with Unchanged(review):
        response = as_user(who).post(reverse("review_entry_save", args=[review.pk, "4.1-1"]), {"result": "conform"})
    assert response.status_code == status
    assert not review.entries.exists()


def test_an_unassigned_auditor_cannot_record_or_complete(as_user, review):
    client = as_user("lead_auditor")
    with Unchanged(review):
        assert (
            client.post(reverse("review_entry_save", args=[review.pk, "4.1-1"]), {"result": "conform"}).status_code
            == 404
        )
        assert client.post(reverse("review_complete", args=[review.pk]), {"summary": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["programme_manager", "committee_member", "clerk", "user_a"])
def test_readers_cannot_verify(as_user, submitted, major, who):
    client = as_user(who)
    assert client.get(reverse("nonconformity_detail", args=[major.pk])).status_code == 200
    with Unchanged(major, submitted):
        assert client.post(reverse("corrective_action_accept", args=[submitted.pk])).status_code == 403
        assert (
            client.post(reverse("corrective_action_return", args=[submitted.pk]), {"comment": "x"}).status_code == 403
        )


@pytest.mark.parametrize("who", ["auditor", "programme_manager"])
def test_cb_staff_cannot_submit_for_the_enterprise(as_user, major, who):
    with Unchanged(major):
        response = as_user(who).post(
            reverse("corrective_action_submit", args=[major.pk]),
            {"cause_analysis": "a", "correction": "b", "corrective_action": "c"},
        )
    assert response.status_code == 403


def test_evidence_files_download_only_for_those_who_see_the_nonconformity(as_user, major, user_a):
    from certflow.reviews import services

    action = services.corrective_action_submit(
        by=user_a,
        nonconformity=major,
        cause_analysis="a",
        correction="b",
        corrective_action="c",
        files=[pdf_file("证据.pdf")],
    )
    url = reverse("corrective_evidence_download", args=[action.evidence.get().pk])
    for who, status in [
        ("user_a", 200),
        ("auditor", 200),
        ("committee_member", 200),
        ("user_b", 404),
        ("lead_auditor", 404),
    ]:
        assert as_user(who).get(url).status_code == status, who


def test_material_files_open_only_from_their_own_review(as_user, review, application, enterprise_b, user_b, clerk):
    from certflow.reviews.tests.helpers import accepted_application

    other = accepted_application(enterprise=enterprise_b, user=user_b, clerk=clerk)
    client = as_user("auditor")
    assert (
        client.get(
            reverse("review_material_download", args=[review.pk, application.material_files.first().pk])
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("review_material_download", args=[review.pk, other.material_files.first().pk])).status_code
        == 404
    )


def test_the_enterprise_sees_only_its_own_nonconformities(
    as_user, completed_review, enterprise_b, user_b, clerk, auditor
):
    assert Nonconformity.objects.count() == 2
    listing = as_user("user_b").get(reverse("nonconformity_list")).content.decode()
    assert "NC-" not in listing
    listing = as_user("user_a").get(reverse("nonconformity_list")).content.decode()
    assert listing.count("NC-SQ") >= 2


def test_anonymous_visitors_are_sent_to_login(client, review):
    response = client.get(reverse("review_detail", args=[review.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url

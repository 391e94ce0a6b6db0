import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_application_page_links_on_to_its_review_and_nonconformities(client, clerk, completed_review):
    client.force_login(clerk)
    body = client.get(reverse("application_detail", args=[completed_review.application_id])).content.decode()
    assert reverse("review_detail", args=[completed_review.pk]) in body
    assert reverse("application_nonconformities", args=[completed_review.application_id]) in body


def test_accepted_application_offers_the_clerk_a_reviewer_assignment(client, clerk, application):
    client.force_login(clerk)
    body = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert reverse("review_assign", args=[application.pk]) in body

"""The admin shows the register read-only: changes go through the services and their events."""

import pytest

from certflow.auditors.models import AuditorProfile


@pytest.mark.parametrize("model", ["auditorprofile", "competence", "conflictdeclaration", "unavailability"])
def test_the_admin_lists_the_register_read_only(admin_client, auditor_profile, model):
    assert admin_client.get(f"/admin/auditors/{model}/").status_code == 200
    assert admin_client.get(f"/admin/auditors/{model}/add/").status_code == 403


def test_the_admin_cannot_delete_a_profile(admin_client, auditor_profile):
    response = admin_client.post(f"/admin/auditors/auditorprofile/{auditor_profile.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditorProfile.objects.filter(pk=auditor_profile.pk).exists()

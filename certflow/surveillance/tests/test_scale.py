"""The dashboard's cost must not grow with the scheme parsing per certificate (bench/RESULTS.md, issue 9)."""

import pytest

from certflow.core.schemes.models import SchemeVersion
from certflow.core.testing.factories import EnterpriseFactory
from certflow.surveillance import selectors
from certflow.surveillance.tests.helpers import PLAN_DAY, issue

DASH = "/surveillance/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("certflow.surveillance.selectors.today", lambda: PLAN_DAY)
    monkeypatch.setattr("certflow.surveillance.views.today", lambda: PLAN_DAY)


@pytest.fixture
def parses(monkeypatch):
    """How many times a scheme version is parsed (each parse validates the whole document)."""
    counted = []
    original = SchemeVersion.as_scheme

    def counting(self):
        counted.append(self.pk)
        return original(self)

    monkeypatch.setattr(SchemeVersion, "as_scheme", counting)
    selectors._rules.cache_clear()
    selectors._validity_years.cache_clear()
    yield counted
    selectors._rules.cache_clear()
    selectors._validity_years.cache_clear()


def test_dashboard_parses_the_scheme_once_per_version_whatever_the_number_of_certificates(
    client, programme_manager, parses, django_assert_num_queries
):
    certificates = [issue(programme_manager, EnterpriseFactory()) for _ in range(4)]
    parses.clear()
    client.force_login(programme_manager)
    page = client.get(DASH)
    assert page.status_code == 200
    for certificate in certificates:
        assert certificate.number in page.content.decode()
    # Once for the surveillance rules, once for the validity period: not once per certificate.
    assert len(parses) <= 2, parses

    # A second request in the same process parses nothing and runs the same queries for more certificates.
    issue(programme_manager, EnterpriseFactory())
    parses.clear()
    client.get(DASH)
    assert parses == []


def test_cycle_start_reads_the_validity_of_the_certificates_own_version(programme_manager, parses):
    certificate = issue(programme_manager, EnterpriseFactory())
    parses.clear()
    selectors._validity_years.cache_clear()  # issuing computed the certificate's next obligation already
    assert selectors.cycle_start(certificate) == certificate.issued_on
    assert selectors.cycle_start(certificate) == certificate.issued_on
    assert len(parses) == 1


def test_programme_rows_do_not_load_the_scheme_document(programme_manager, django_assert_num_queries):
    issue(programme_manager, EnterpriseFactory())
    rows = list(selectors.in_force())
    assert rows
    # Every row would otherwise carry and decode the whole scheme JSON (seconds per thousand certificates).
    assert all("content" in row.scheme_version.get_deferred_fields() for row in rows)
    selectors.cycle_start(rows[0])  # the version's validity, read once per process
    with django_assert_num_queries(0):
        assert [selectors.cycle_start(row) for row in rows]

"""Two submits of one link at the same moment: exactly one response, the other refused clearly.

Needs real concurrent connections, so it runs on PostgreSQL only (SQLite in memory has one).
"""

import threading

import pytest
from django.db import connection, connections

from certflow.core.rules import RuleViolation
from certflow.surveys import services
from certflow.surveys.models import Response
from certflow.surveys.tests.helpers import ALL_FIVE, open_survey, send_links

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]


def test_concurrent_submits_make_one_response(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    token = send_links(survey, clerk)[0]
    barrier = threading.Barrier(4)
    results: list[str] = []

    def submit():
        barrier.wait()
        try:
            services.response_submit(token=token, ratings=ALL_FIVE)
            results.append("ok")
        except RuleViolation as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_answered"] * 3 + ["ok"]
    assert Response.objects.filter(invitation__survey=survey).count() == 1

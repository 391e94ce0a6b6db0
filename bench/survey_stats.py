"""Survey statistics in the database: one survey's result and Wilson interval, and the report over every
survey (all certificates), with the time and the number of queries of each.

    .venv/bin/python bench/survey_stats.py SIZE       prints one JSON object
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402


def measure() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certflow.surveys.aggregates import survey_results, tallies_for
    from certflow.surveys.models import Response, Survey
    from certflow.surveys.statistics import wilson

    big = (
        Survey.objects.filter(application__reference__startswith="SQB-", status="open")
        .order_by("id")
        .select_related("scheme_version")
        .first()
    )
    out = {}
    survey_results(big)  # parse the scheme once per process: not what is measured
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        results = survey_results(big)
        took = time.perf_counter() - start
    interval = results.outcome.interval
    out["one survey"] = {
        "responses": Response.objects.filter(survey=big).count(),
        "ms": took * 1000,
        "queries": len(queries.captured_queries),
        "answered": results.tally.answered,
        "satisfied": results.tally.satisfied,
        "share": float(results.outcome.share) if results.outcome.share is not None else None,
        "wilson": [float(interval.low), float(interval.high)] if interval else None,
        "passed": results.outcome.passed,
    }

    ids = list(Survey.objects.values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        tallies = tallies_for(ids)
        answered = sum(t.answered for t in tallies.values())
        satisfied = sum(t.satisfied for t in tallies.values())
        overall = wilson(satisfied, answered, results.scheme.survey.sample_size.z) if answered else None
        took = time.perf_counter() - start
    out["all surveys"] = {
        "surveys": len(ids),
        "responses": sum(t.respondents for t in tallies.values()),
        "ratings": answered,
        "ms": took * 1000,
        "queries": len(queries.captured_queries),
        "share": satisfied / answered if answered else None,
        "wilson": [float(overall.low), float(overall.high)] if overall else None,
    }
    return out


if __name__ == "__main__":
    setup_django(sys.argv[1])
    print(json.dumps(measure(), default=str))

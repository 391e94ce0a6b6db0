"""Documents: certificate PDF, survey report, document-review report, audit report and decision dossier,
one at a time and in a batch.

    .venv/bin/python bench/documents.py SIZE [--batch N]      prints one JSON object
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402


def timed_batch(render, objects) -> dict:
    times, sizes = [], []
    start = time.perf_counter()
    for obj in objects:
        one = time.perf_counter()
        pdf = render(obj)
        times.append(time.perf_counter() - one)
        sizes.append(len(pdf))
        assert pdf[:5] == b"%PDF-", "not a PDF"
    total = time.perf_counter() - start
    return {
        "count": len(objects),
        "first_ms": times[0] * 1000,
        "median_ms": statistics.median(times) * 1000,
        "batch_s": total,
        "per_second": len(objects) / total if total else None,
        "kb": statistics.median(sizes) / 1024,
    }


def measure(batch: int) -> dict:
    from certflow.audits.models import Audit
    from certflow.audits.report_pdf import audit_report_pdf
    from certflow.audits.selectors import conduct_detail
    from certflow.certificates.models import Certificate
    from certflow.certificates.pdf import certificate_pdf
    from certflow.decisions.models import Decision
    from certflow.decisions.pdf import dossier_pdf
    from certflow.reviews.models import DocumentReview
    from certflow.reviews.report import review_report_pdf
    from certflow.surveys.aggregates import survey_results
    from certflow.surveys.models import Survey
    from certflow.surveys.report import survey_report_pdf

    out = {}
    certificates = list(Certificate.objects.filter(status="valid").order_by("id")[:batch])
    out["certificate PDF"] = timed_batch(certificate_pdf, certificates)

    surveys = list(Survey.objects.filter(status="passed").order_by("id")[: max(1, batch // 10)])
    out["survey report PDF"] = timed_batch(lambda s: survey_report_pdf(survey_results(s)), surveys)

    reviews = list(DocumentReview.objects.filter(status="passed").order_by("id")[: max(1, batch // 10)])
    out["review report PDF"] = timed_batch(review_report_pdf, reviews)

    # Audits with a closing meeting (the report is the meeting's record); the demo's, when present.
    # Loaded as the report view loads them (team, findings, nonconformities prefetched): the renderer needs it.
    audits = list(
        Audit.objects.filter(closing_meeting__isnull=False)
        .order_by("id")
        .values_list("pk", flat=True)[: max(1, batch // 10)]
    )
    if audits:
        out["audit report PDF"] = timed_batch(lambda pk: audit_report_pdf(conduct_detail(pk)), audits)
    decisions = list(Decision.objects.filter(status="open").order_by("id")[: max(1, batch // 10)])
    out["decision dossier PDF"] = timed_batch(dossier_pdf, decisions)
    return out


if __name__ == "__main__":
    setup_django(sys.argv[1])
    batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 20
    print(json.dumps(measure(batch)))

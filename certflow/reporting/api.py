"""The monthly report over the API: the summary with the check, and the workbook.

`register(router)` is called by certflow/core/api_urls.py; the two views are plain url patterns under
/api/v1/. Same permission helper and services as the page (decisions MR9).
"""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from certflow.reporting import services, views
from certflow.reporting.permissions import check_report
from certflow.reporting.workbook import XLSX_TYPE


class ReportTableCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    rows = serializers.IntegerField()


class ReportFindingSerializer(serializers.Serializer):
    table = serializers.CharField()
    record_kind = serializers.CharField()
    record_id = serializers.IntegerField()
    reference = serializers.CharField()
    record_url = serializers.CharField()
    field = serializers.CharField()
    field_zh = serializers.CharField()
    field_en = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    deadline = serializers.DateField()
    complete = serializers.BooleanField()
    tables = ReportTableCountSerializer(many=True)
    findings_count = serializers.IntegerField()
    findings = ReportFindingSerializer(many=True)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


def _finding(f) -> dict:
    return {
        "table": f.table,
        "record_kind": f.record_kind,
        "record_id": f.record_id,
        "reference": f.reference,
        "record_url": views.record_url(f.record_kind, f.record_id),
        "field": f.field,
        "field_zh": f.field_zh,
        "field_en": f.field_en,
        "zh": f.zh,
        "en": f.en,
    }


class MonthlyReportView(APIView):
    """监管月度报送: the month's three tables (row counts) and the required fields left empty."""

    @extend_schema(
        responses={
            200: MonthlyReportSerializer,
            400: OpenApiResponse(description="bad month"),
            403: OpenApiResponse(description="CB staff not seeing every enterprise"),
            404: OpenApiResponse(description="not CB staff"),
        }
    )
    def get(self, request, month: str):
        check_report(request.user)
        today = views.today()
        report = services.report_check(month=services.month_or_refuse(month, today), today=today)
        data = report.summary() | {"findings": [_finding(f) for f in report.findings]}
        return Response(MonthlyReportSerializer(data).data)


class MonthlyReportXlsxView(APIView):
    """The workbook to upload to the platform; each download is recorded with its SHA-256."""

    renderer_classes = [XLSXRenderer, renderers.JSONRenderer]

    @extend_schema(
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="bad month"),
            403: OpenApiResponse(description="CB staff not seeing every enterprise"),
            404: OpenApiResponse(description="not CB staff"),
        }
    )
    def get(self, request, month: str):
        check_report(request.user)
        today = views.today()
        parsed = services.month_or_refuse(month, today)
        generated = services.report_generate(by=request.user, month=parsed, today=today, channel="api")
        response = HttpResponse(generated.data, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{generated.filename}"'
        response["X-Content-SHA256"] = generated.sha256
        return response


def register(router) -> list:
    """No viewsets; two plain views under /api/v1/reports/monthly/."""
    return [
        path("reports/monthly/<str:month>/", MonthlyReportView.as_view(), name="api-report-monthly"),
        path("reports/monthly/<str:month>/xlsx", MonthlyReportXlsxView.as_view(), name="api-report-monthly-xlsx"),
    ]

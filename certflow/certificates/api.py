"""The certificate API: the public lookup by number, and the staff/enterprise viewset.

Same selectors, permission helpers and services as the pages. The public endpoint needs no login,
is throttled per client address, and returns only what the certificate prints.
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from certflow.certificates import services, signing
from certflow.certificates.domain import STATUS_EN, CertificateStatus
from certflow.certificates.export import export_response
from certflow.certificates.pdf import certificate_pdf, verification_url
from certflow.certificates.permissions import check_export, get_certificate_for_user
from certflow.certificates.selectors import certificate_export, certificate_list, public_certificate, public_status

THROTTLED = "请求过于频繁，请稍后再试 / too many requests, please try again later"


class PublicCertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    enterprise_name = serializers.CharField()
    uscc = serializers.CharField()
    address = serializers.CharField()
    scope = serializers.CharField()
    scope_en = serializers.CharField()
    grade = serializers.CharField()
    grade_en = serializers.CharField()
    scheme = serializers.CharField()
    legacy = serializers.BooleanField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    status_label = serializers.CharField()
    status_label_en = serializers.CharField()
    status_since = serializers.DateField()
    superseded_by = serializers.CharField(allow_null=True)
    verification_url = serializers.CharField()
    signature = inline_serializer(
        "CertificateSignature",
        fields={
            "algorithm": serializers.CharField(),
            "payload": serializers.CharField(),
            "signature": serializers.CharField(),
            "key_id": serializers.CharField(),
            "public_key_pem": serializers.CharField(allow_null=True),
        },
    )


def public_data(certificate, today=None) -> dict:
    status, since = public_status(certificate, today or timezone.localdate())
    keys = signing.verification_keys(create=True)
    key = keys.get(certificate.signing_key_id)
    superseded = getattr(certificate, "superseded_by", None)
    return {
        "number": certificate.number,
        "enterprise_name": certificate.enterprise_name,
        "uscc": certificate.enterprise_uscc,
        "address": certificate.enterprise_address,
        "scope": certificate.scope_text,
        "scope_en": certificate.scope_text_en,
        "grade": certificate.grade_name,
        "grade_en": certificate.grade_name_en,
        "scheme": f"{certificate.scheme_code} {certificate.scheme_version_label}",
        "legacy": certificate.is_legacy,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "status": status,
        "status_label": str(CertificateStatus(status).label),
        "status_label_en": STATUS_EN[status],
        "status_since": since,
        "superseded_by": superseded.number if superseded else None,
        "verification_url": verification_url(certificate),
        "signature": {
            "algorithm": "Ed25519",
            "payload": certificate.signed_payload,
            "signature": certificate.signature,
            "key_id": certificate.signing_key_id,
            "public_key_pem": signing.public_key_pem(key) if key else None,
        },
    }


class PublicCertificateThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"


class PublicCertificateView(APIView):
    """证书查询: one certificate by its number, for anyone. Status as of now, never cached."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # anonymous for everyone: the throttle counts per client address
    throttle_classes = [PublicCertificateThrottle]
    throttle_scope = "public_certificates"

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait=wait, detail=THROTTLED)

    @extend_schema(
        responses={200: PublicCertificateSerializer, 404: OpenApiResponse(description="not found"), 429: None},
        auth=[],
    )
    def get(self, request, number: str):
        certificate = public_certificate(number)
        if certificate is None:
            raise exceptions.NotFound("未找到该编号的证书 / no certificate with this number")
        response = Response(PublicCertificateSerializer(public_data(certificate)).data)
        response["Cache-Control"] = "no-store"
        return response


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    enterprise = serializers.IntegerField(source="enterprise_id")
    application = serializers.IntegerField(source="application_id", allow_null=True)
    enterprise_name = serializers.CharField()
    enterprise_uscc = serializers.CharField()
    enterprise_address = serializers.CharField()
    scope_categories = serializers.ListField(child=serializers.CharField())
    scope_services = serializers.ListField(child=serializers.CharField())
    scope_text = serializers.CharField()
    grade_code = serializers.CharField()
    grade_name = serializers.CharField()
    scheme_code = serializers.CharField()
    scheme_version_label = serializers.CharField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    status_since = serializers.DateField()
    status_reason = serializers.CharField()
    is_legacy = serializers.BooleanField()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    signing_key_id = serializers.CharField()


class StatusChangeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ScopeReductionSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=True)
    services = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    reason = serializers.CharField(max_length=2000)


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


class CSVRenderer(PDFRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(PDFRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Certificates: CB staff spanning clients see all; enterprise users their own. Suspend, restore
    and revoke: programme managers and administrators (decisions C6)."""

    serializer_class = CertificateSerializer

    def get_queryset(self):
        params = self.request.query_params
        return certificate_list(
            self.request.user,
            status=params.get("status", "") if params.get("status", "") in CertificateStatus.values else "",
            grade=params.get("grade", ""),
            search=params.get("q", ""),
        )

    def get_object(self):
        return get_certificate_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CertificateStatus.values),
            OpenApiParameter("grade", OpenApiTypes.STR),
            OpenApiParameter("q", OpenApiTypes.STR, description="number, enterprise name or USCC"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _change(self, request, pk, service):
        data = StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = get_certificate_for_user(request.user, pk, write=True)
        changed = service(by=request.user, certificate=certificate, reason=data.validated_data["reason"])
        return Response(CertificateSerializer(changed).data)

    @extend_schema(request=StatusChangeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._change(request, pk, services.certificate_suspend)

    @extend_schema(request=StatusChangeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._change(request, pk, services.certificate_restore)

    @extend_schema(request=StatusChangeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._change(request, pk, services.certificate_revoke)

    @extend_schema(request=ScopeReductionSerializer, responses={201: CertificateSerializer})
    @action(detail=True, methods=["post"], url_path="reduce-scope")
    def reduce_scope(self, request, pk=None):
        """缩小认证范围: the replacement certificate (new number, same expiry); the old one is superseded."""
        certificate = get_certificate_for_user(request.user, pk, write=True)
        data = ScopeReductionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.certificate_reduce_scope(by=request.user, certificate=certificate, **data.validated_data)
        return Response(CertificateSerializer(new).data, status=201)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer, renderers.JSONRenderer])
    def pdf(self, request, pk=None):
        certificate = get_certificate_for_user(request.user, pk)
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
        return response

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSXRenderer.media_type): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer, XLSXRenderer, renderers.JSONRenderer])
    def export(self, request):
        check_export(request.user)
        fmt = request.query_params.get("format", "csv")
        return export_response(certificate_export(request.user), "xlsx" if fmt == "xlsx" else "csv")

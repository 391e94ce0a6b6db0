"""API for applications and acceptance: the same permission helpers, selectors and services as the pages.

Clients never set status, enterprise (after creation), reference or decision fields: those change only
through the action routes (submit, accept, …), each one service call with its event.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from certflow.accounts.selectors import enterprises_for_user
from certflow.applications import domain, services
from certflow.applications.domain import ApplicationStatus, ApplicationType
from certflow.applications.models import Application, MaterialFile, Site, SiteKind
from certflow.applications.permissions import (
    get_application_for_clerk,
    get_application_for_enterprise_user,
    get_application_for_user,
    get_material_file_for_user,
)
from certflow.applications.selectors import application_detail, application_list, applications_for_user
from certflow.core.api_schema import stored_file_responses
from certflow.core.files import download_response

NO_SUCH_ENTERPRISE = "未找到该企业，或您不是该企业的成员 / no such enterprise among yours"
STAFF_CANNOT_APPLY = "认证申请由申请企业的用户创建 / applications are created by the applicant enterprise's users"


# --- serializers --------------------------------------------------------------------------------------


class EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    uscc = serializers.CharField(read_only=True)


class SiteSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SiteKind.choices)

    class Meta:
        model = Site
        fields = ("id", "kind", "name", "address")
        read_only_fields = ("id",)


class ApplicationSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)
    scheme = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Application
        fields = (
            "id",
            "reference",
            "enterprise",
            "scheme",
            "application_type",
            "status",
            "status_label",
            "categories",
            "other_category_description",
            "service_stages",
            "service_description",
            "declaration_made",
            "declared_at",
            "created_at",
            "submitted_at",
            "received_on",
            "acceptance_due",
            "decided_at",
            "decision_reason",
            "out_of_scope",
        )
        read_only_fields = fields

    def get_scheme(self, obj) -> str:
        return f"{obj.scheme_version.code} {obj.scheme_version.version}"


class MissingSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class SupplementItemSerializer(serializers.Serializer):
    material = serializers.CharField()
    message = serializers.CharField()


class SupplementRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()
    requested_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    items = SupplementItemSerializer(many=True, source="items.all")


class ApplicationDetailSerializer(ApplicationSerializer):
    sites = SiteSerializer(many=True, read_only=True)
    missing = serializers.SerializerMethodField(help_text="what is still missing before submission (drafts only)")
    supplement_requests = SupplementRequestSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = (*ApplicationSerializer.Meta.fields, "sites", "missing", "supplement_requests")
        read_only_fields = fields

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, obj) -> list[dict]:
        if not domain.may_edit_details(obj.status):
            return []
        return [{"zh": zh, "en": en} for zh, en in domain.missing_for_submission(services.facts_for(obj))]


class ApplicationCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(help_text="id of one of your enterprises")
    application_type = serializers.ChoiceField(choices=ApplicationType.choices, default=ApplicationType.INITIAL)


class ApplicationUpdateSerializer(serializers.Serializer):
    """Details a draft's enterprise may change. Any other key is refused, never silently ignored."""

    application_type = serializers.ChoiceField(choices=ApplicationType.choices, required=False)
    categories = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    other_category_description = serializers.CharField(max_length=300, allow_blank=True, required=False)
    service_stages = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    service_description = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    declaration_made = serializers.BooleanField(required=False, help_text="the clause 4.3-3 declaration")

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: ["不能修改 / not editable"] for key in unknown})
        return attrs


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class SupplementRequestCreateSerializer(serializers.Serializer):
    items = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        help_text='material code → what to add or change, e.g. {"business_licence": "营业执照已过期"}',
    )
    message = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class NotAcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)
    out_of_scope = serializers.BooleanField(default=False, help_text="clause 1: standardised goods only")


class MaterialFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField(help_text="false once a newer version replaced it")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MaterialFile
        fields = (
            "id",
            "application",
            "material",
            "version",
            "replaces",
            "original_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "current",
            "download_url",
        )
        read_only_fields = fields

    def get_uploaded_by(self, obj) -> str:
        return obj.uploaded_by.full_name or obj.uploaded_by.email

    def get_current(self, obj) -> bool:
        replaced = self.context.get("replaced")
        if replaced is None:
            return not MaterialFile.objects.filter(replaces=obj).exists()
        return obj.pk not in replaced

    def get_download_url(self, obj) -> str:
        return f"/api/v1/material-files/{obj.pk}/download/"


class MaterialUploadSerializer(serializers.Serializer):
    material = serializers.CharField(max_length=60, help_text="material code, e.g. business_licence")
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    replaces = serializers.IntegerField(required=False, help_text="id of the file this is a new version of")


# --- views --------------------------------------------------------------------------------------------


def _detail(application) -> dict:
    return ApplicationDetailSerializer(application_detail(application.pk)).data


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ApplicationStatus.values),
            OpenApiParameter("search", str, description="reference, enterprise name or USCC"),
        ]
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """认证申请. Enterprise users see their own enterprises'; CB roles spanning clients see all; auditors
    what they are assigned to."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        return application_list(self.request.user, status=params.get("status", ""), search=params.get("search", ""))

    def get_serializer_class(self):
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def get_object(self):
        return application_detail(get_application_for_user(self.request.user, self.kwargs["pk"]).pk)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request):
        if request.user.is_cb_staff:
            raise PermissionDenied(STAFF_CANNOT_APPLY)
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Another enterprise's id and a missing one get the same answer: nothing to learn by probing.
        enterprise = enterprises_for_user(request.user).filter(pk=data.validated_data["enterprise"]).first()
        if enterprise is None:
            raise serializers.ValidationError({"enterprise": [NO_SUCH_ENTERPRISE]})
        application = services.application_create(
            by=request.user, enterprise=enterprise, application_type=data.validated_data["application_type"]
        )
        return Response(_detail(application), status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationDetailSerializer)
    def partial_update(self, request, pk=None):
        application = get_application_for_enterprise_user(request.user, pk)
        data = ApplicationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        declaration = changes.pop("declaration_made", None)
        if changes:
            application = services.application_update_details(by=request.user, application=application, **changes)
        if declaration is not None:
            services.declaration_set(by=request.user, application=application, made=declaration)
        return Response(_detail(application))

    # --- the enterprise's actions

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = get_application_for_enterprise_user(request.user, pk)
        return Response(_detail(services.application_submit(by=request.user, application=application)))

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        application = get_application_for_enterprise_user(request.user, pk)
        return Response(_detail(services.application_resubmit(by=request.user, application=application)))

    @extend_schema(request=WithdrawSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = get_application_for_enterprise_user(request.user, pk)
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_withdraw(
            by=request.user, application=application, reason=data.validated_data["reason"]
        )
        return Response(_detail(application))

    # --- the acceptance clerk's decisions (clause 6 申请受理 2)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        application = get_application_for_clerk(request.user, pk)
        return Response(_detail(services.application_accept(by=request.user, application=application)))

    @extend_schema(request=SupplementRequestCreateSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request, pk=None):
        application = get_application_for_clerk(request.user, pk)
        data = SupplementRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_request_supplement(by=request.user, application=application, **data.validated_data)
        return Response(_detail(application))

    @extend_schema(request=NotAcceptSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="not-accept")
    def not_accept(self, request, pk=None):
        application = get_application_for_clerk(request.user, pk)
        data = NotAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_not_accept(by=request.user, application=application, **data.validated_data)
        return Response(_detail(application))

    # --- sites

    @extend_schema(methods=["GET"], request=None, responses=SiteSerializer(many=True))
    @extend_schema(methods=["POST"], request=SiteSerializer, responses={201: SiteSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def sites(self, request, pk=None):
        if request.method == "GET":
            application = get_application_for_user(request.user, pk)
            return Response(SiteSerializer(application.sites.filter(removed_at__isnull=True), many=True).data)
        application = get_application_for_enterprise_user(request.user, pk)
        data = SiteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site = services.site_add(by=request.user, application=application, **data.validated_data)
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="removed")},
        parameters=[OpenApiParameter("site_pk", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"sites/(?P<site_pk>[0-9]+)")
    def site_remove(self, request, pk=None, site_pk=None):
        application = get_application_for_enterprise_user(request.user, pk)
        site = get_object_or_404(Site, pk=site_pk, application=application, removed_at__isnull=True)
        services.site_remove(by=request.user, site=site)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- materials

    @extend_schema(methods=["GET"], request=None, responses=MaterialFileSerializer(many=True))
    @extend_schema(methods=["POST"], request=MaterialUploadSerializer, responses={201: MaterialFileSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def materials(self, request, pk=None):
        if request.method == "GET":
            application = get_application_for_user(request.user, pk)
            files = list(
                application.material_files.filter(withdrawn_at__isnull=True)
                .select_related("uploaded_by")
                .order_by("material", "id")
            )
            replaced = {f.replaces_id for f in files if f.replaces_id}
            return Response(MaterialFileSerializer(files, many=True, context={"replaced": replaced}).data)
        application = get_application_for_enterprise_user(request.user, pk)
        data = MaterialUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        replaces = None
        if "replaces" in data.validated_data:
            replaces = MaterialFile.objects.filter(pk=data.validated_data["replaces"], application=application).first()
            if replaces is None:
                raise serializers.ValidationError({"replaces": ["没有这个文件 / no such file in this application"]})
        upload = data.validated_data["file"]
        stored = services.material_upload(
            by=request.user,
            application=application,
            material=data.validated_data["material"],
            name=upload.name,
            data=upload,
            replaces=replaces,
        )
        return Response(MaterialFileSerializer(stored, context={"replaced": set()}).data, status=201)


class MaterialFileViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One uploaded file of an application: its record, its bytes (as an attachment), its withdrawal."""

    serializer_class = MaterialFileSerializer

    def get_queryset(self):
        return MaterialFile.objects.filter(application__in=applications_for_user(self.request.user)).select_related(
            "uploaded_by"
        )

    def get_object(self):
        return get_material_file_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=stored_file_responses("the file as uploaded, with the type recorded at upload"))
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        upload = self.get_object()
        return download_response(upload.storage_name, filename=upload.original_name, content_type=upload.content_type)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="withdrawn from the draft")})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        upload = self.get_object()
        get_application_for_enterprise_user(request.user, upload.application_id)
        services.material_withdraw(by=request.user, upload=upload)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""API for people and enterprises: the same selectors, permission helpers and services as the pages."""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from certflow.accounts import second_factor, services
from certflow.accounts.models import Enterprise, Membership, User
from certflow.accounts.permissions import get_enterprise_for_user
from certflow.accounts.roles import StaffRole
from certflow.accounts.selectors import active_memberships, enterprise_list, users_for_user
from certflow.accounts.services import ENTERPRISE_FIELDS
from certflow.core.rules import RuleViolation

STAFF_REGISTER = (
    "企业由其自己的用户登记（认证机构通过历史证书导入登记企业） / "
    "an enterprise is registered by its own users (the CB registers enterprises by the legacy import)"
)


class EnterpriseSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(
        max_length=40, help_text="统一社会信用代码 (GB 32100-2015, 18 characters, check character validated)"
    )

    class Meta:
        model = Enterprise
        fields = ("id", *ENTERPRISE_FIELDS, "created_at")
        read_only_fields = ("id", "created_at")
        # The USCC's uniqueness and check character are the service's to judge, with its clear message.
        extra_kwargs = {"uscc": {"validators": []}}


class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enterprises (申请企业). Enterprise users see only their own; nothing is ever deleted."""

    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return enterprise_list(self.request.user, search=self.request.query_params.get("search", ""))

    def get_object(self):
        write = self.request.method not in permissions.SAFE_METHODS
        return get_enterprise_for_user(self.request.user, self.kwargs["pk"], write=write)

    def create(self, request, *args, **kwargs):
        if request.user.is_cb_staff:
            raise PermissionDenied(STAFF_REGISTER)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.enterprise_register(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.enterprise_update(
            by=self.request.user, enterprise=serializer.instance, **serializer.validated_data
        )


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "email", "full_name", "kind", "is_active", "roles")
        read_only_fields = fields

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.roles)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users: administrators see everyone; others see the people of their own enterprises."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return users_for_user(self.request.user)

    @extend_schema(
        request=inline_serializer("SecondFactorResetRequest", {"reason": serializers.CharField(max_length=200)}),
        responses={
            200: inline_serializer("SecondFactorResetResponse", {"devices_removed": serializers.IntegerField()})
        },
    )
    @action(detail=True, methods=["post"], url_path="reset-second-factor")
    def reset_second_factor(self, request, pk=None):
        """Administrators: remove a person's lost authenticator and API tokens (recorded as an event)."""
        person = self.get_object()
        if not request.user.has_role(StaffRole.ADMINISTRATOR):
            return Response(
                {"detail": "只有系统管理员可以重置二次验证 / only an administrator can reset a second factor"},
                status=status.HTTP_403_FORBIDDEN,
            )
        reason = serializers.CharField(max_length=200).run_validation(request.data.get("reason"))
        removed = second_factor.reset(by=request.user, user=person, reason=reason)
        return Response({"devices_removed": removed})


class MembershipSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("enterprise", "role", "created_at")


class MeSerializer(UserSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "memberships")
        read_only_fields = fields

    def get_memberships(self, obj) -> list[dict]:
        return MembershipSerializer(active_memberships(obj), many=True).data


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="the authenticator's current code: required for CB staff and for anyone who has enrolled one",
    )


class TokenView(APIView):
    """Exchange e-mail, password and (where the web sign-in asks for one) the authenticator code for a token.

    A token is as good as a verified session, so it costs the same second factor (SEC3)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response(
                {"detail": "邮箱或密码不正确 / e-mail or password is wrong"}, status=status.HTTP_400_BAD_REQUEST
            )
        refusal = self._second_factor_refusal(user, data.validated_data.get("otp", ""))
        if refusal is not None:
            return refusal
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _second_factor_refusal(user, code: str) -> Response | None:
        if second_factor.has_confirmed_device(user):
            if not second_factor.clean_code(code):
                return Response(
                    {
                        "detail": "请提供身份验证器上的验证码 / the authenticator code is required (field otp)",
                        "code": "otp_required",
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            try:
                second_factor.check_code(user, code)
            except RuleViolation as exc:
                return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
            return None
        if user.is_cb_staff and settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF:
            return Response(
                {
                    "detail": "认证机构人员须先在网页登录并绑定身份验证器 / CB staff must first sign in on the web "
                    "and enrol an authenticator",
                    "code": "otp_enrolment_required",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return None

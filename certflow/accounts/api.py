"""API for people and enterprises: the same selectors, permission helpers and services as the pages."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from certflow.accounts import services
from certflow.accounts.models import Enterprise, Membership, User
from certflow.accounts.permissions import get_enterprise_for_user
from certflow.accounts.selectors import active_memberships, enterprise_list, users_for_user
from certflow.accounts.services import ENTERPRISE_FIELDS


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


class TokenView(APIView):
    """Exchange e-mail and password for an API token (the same throttling as the login page)."""

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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

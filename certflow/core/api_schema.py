"""The OpenAPI schema documents the refusals every operation can answer, in the one error format.

drf-spectacular describes the successful answer of each operation; the refusals come from
machinery shared by all of them (authentication, the permission helpers' 404/403, validation and
domain rules through certflow.core.api.exception_handler, throttles). Declaring them here, from the
same facts that produce them, keeps the schema true for API clients and lets schemathesis check
every status code an operation answers (docs/decisions.d/apifuzz.md).
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions
from rest_framework.settings import api_settings

ERROR_COMPONENT = "Error"
# certflow.core.api.exception_handler gives every refusal this shape: a RuleViolation has
# detail/zh/en/code; a validation error names the fields it refuses (field -> messages); DRF's own
# refusals (403, 404, 429) carry detail alone.
ERROR_SCHEMA = {
    "type": "object",
    "description": "拒绝原因 / why the request was refused: detail (Chinese / English), the stable code of a "
    "domain rule, or a list of messages per refused field",
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "中文 / English message",
        },
        "zh": {"type": "string"},
        "en": {"type": "string"},
        "code": {"type": "string", "description": "stable code of the refused rule, e.g. otp_invalid"},
    },
    "additionalProperties": True,
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DESCRIPTIONS = {
    "400": "请求无效或被业务规则拒绝 / invalid input, or refused by a rule of the scheme",
    "401": "未登录或令牌无效 / not signed in: no token, or a bad one (WWW-Authenticate: Token)",
    "403": "无权执行 / not allowed to do this",
    "404": "不存在或无权查看 / does not exist, or not visible to you",
    "429": "请求过于频繁 / too many requests: retry later",
}


def error_reference(registry) -> dict:
    component = ResolvedComponent(
        name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, object=ERROR_COMPONENT, schema=ERROR_SCHEMA
    )
    registry.register_on_missing(component)
    return component.ref


class CertflowAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        reference = error_reference(registry)
        for code in self.refusal_codes(operation):
            # An operation's own declaration (say a 409 or a 400 with its own body) stays as written.
            operation["responses"].setdefault(
                code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": reference}}}
            )
        return operation

    def refusal_codes(self, operation: dict) -> list[str]:
        codes = []
        parameters = operation.get("parameters", [])
        # Writes are validated and can be refused by a domain rule (RuleViolation -> 400); so can
        # reads whose query parameters are parsed (filters, dates, search) and reads whose path
        # carries more than an id (a month "2026-13", a certificate number).
        if (
            self.method in WRITE_METHODS
            or any(p.get("in") == "query" for p in parameters)
            or any(p.get("in") == "path" and p.get("schema", {}).get("type") != "integer" for p in parameters)
        ):
            codes.append("400")
        # Token authentication comes first, so a call without credentials or with a bad token is 401 (with
        # its challenge); a signed-in caller the permission helpers refuse is 403.
        needs_login = not self._allows_anyone()
        if needs_login:
            codes.extend(["401", "403"])
        # The permission helpers answer 404 for what you may not see: the object in the path, but also
        # one named in the body (an application, an auditor) and a register that is not yours to
        # read (auditors/me/ for a non-auditor), so any operation behind a login can answer it. A page
        # past the end is 404 too, and so is a ?format= that no renderer offers (DRF's negotiation).
        if (
            needs_login
            or any(p.get("in") == "path" for p in parameters)
            or any(
                p.get("in") == "query" and p.get("name") in ("page", api_settings.URL_FORMAT_OVERRIDE)
                for p in parameters
            )
        ):
            codes.append("404")
        if getattr(self.view, "throttle_scope", None) and self.view.get_throttles():
            codes.append("429")
        return codes

    def _allows_anyone(self) -> bool:
        checks = self.view.get_permissions()
        return bool(checks) and all(isinstance(check, permissions.AllowAny) for check in checks)


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    """A time of day as DRF writes and reads it: "09:30:00", no offset (the site's time zone).

    drf-spectacular says format "time", which JSON Schema defines as RFC 3339 full-time with a
    mandatory offset ("09:30:00+08:00"); every answer of ours would violate it, and clients would be
    told to send offsets a TimeField ignores. "partial-time" is RFC 3339's name for the form we use;
    the pattern is what validators check."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "format": "partial-time",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "example": "09:30:00",
        }


def stored_file_responses(description: str) -> dict:
    """The 200 of a download that answers a stored upload with its recorded type: one entry per accepted kind.

    The upload check (certflow.core.uploads) records the MIME type of the kind it recognised, never the
    browser's claim, so these are all the types such a download can carry."""
    from certflow.core.uploads import KINDS

    return {
        (200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)
        for kind in KINDS.values()
    }

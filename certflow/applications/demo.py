"""Demo applications, one at each acceptance stage, made through the services (so every event exists).

Deadlines are set relative to today (Beijing): the submitted one is due in 3 working days, the overdue
one was due 2 working days ago. Idempotent: an enterprise that already has an application is skipped.
"""

import io
import struct
import zlib

from django.utils import timezone

from certflow.accounts.demo import DEMO_PASSWORD
from certflow.accounts.models import Enterprise, User
from certflow.accounts.services import enterprise_register, user_create
from certflow.accounts.uscc import check_character
from certflow.applications import services
from certflow.applications.models import Application
from certflow.core.workdays.services import subtract_working_days

CLERK = "clerk@olis-cert.example"

# Enterprises this step adds (the accounts step made the first three). Fictional companies.
MORE_ENTERPRISES = [
    (
        "苏州木语定制家具有限公司",
        "91320505MA1XK7T06",
        "江苏省苏州市高新区浒墅关工业园12号",
        "owner@muyu.example",
        "顾雨桐",
    ),
    (
        "宁波巧手定制家居有限公司",
        "91330212MA2H4P907",
        "浙江省宁波市鄞州区首南街道创业路18号",
        "owner@qiaoshou.example",
        "俞海波",
    ),
    (
        "佛山标准五金制品有限公司",
        "91440606MA52LQ808",
        "广东省佛山市顺德区北滘镇工业大道9号",
        "owner@biaozhun.example",
        "何志强",
    ),
]

FULL_DETAILS = {
    "categories": ["custom_furniture"],
    "service_stages": ["requirements_research", "solution_design", "manufacturing", "delivery_installation"],
    "service_description": "按客户户型上门量尺，三维设计方案确认后在自有车间生产，送货上门安装，质保五年。",
}


def demo_pdf(text: str) -> bytes:
    """A small, valid one-page PDF (distinct per `text`)."""
    # ASCII text as a literal string; anything else as a hex string, so every distinct text gives distinct bytes.
    shown = f"({text})" if text.isascii() and not set(text) & set("()\\") else f"<{text.encode().hex()}>"
    body = f"BT /F1 18 Tf 72 720 Td {shown} Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def demo_png(seed: int, size: int = 8) -> bytes:
    """A small, valid RGB PNG whose colour depends on `seed`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    colour = bytes(((seed * 53) % 256, (seed * 97) % 256, (seed * 193) % 256))
    rows = b"".join(b"\x00" + colour * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _upload(by, application, code: str, tag: str) -> None:
    # The equipment list as a photo, the rest as PDFs: both kinds show in the material rows.
    if code == "equipment_list":
        name, data = f"{code}.png", demo_png(sum(map(ord, tag + code)))
    else:
        name, data = f"{code}.pdf", demo_pdf(f"{tag} {code}")
    services.material_upload(by=by, application=application, material=code, name=name, data=io.BytesIO(data))


def _complete_draft(owner, enterprise, tag: str, *, details=None) -> Application:
    application = services.application_create(by=owner, enterprise=enterprise)
    services.application_update_details(by=owner, application=application, **(details or FULL_DETAILS))
    services.site_add(by=owner, application=application, kind="workshop", name="生产车间", address=enterprise.address)
    services.site_add(
        by=owner, application=application, kind="design_studio", name="设计中心", address=enterprise.address
    )
    for code in application.scheme_version.as_scheme().material_codes:
        _upload(owner, application, code, tag)
    services.declaration_set(by=owner, application=application, made=True)
    return application


def _enterprise(name, body, address, owner_email, owner_name):
    code = body + check_character(body)
    owner = User.objects.filter(email=owner_email).first() or user_create(
        by=None, email=owner_email, full_name=owner_name, password=DEMO_PASSWORD
    )
    enterprise = Enterprise.objects.filter(uscc=code).first() or enterprise_register(
        by=owner,
        name=name,
        uscc=code,
        address=address,
        contact_name=owner_name,
        contact_phone="13900139000",
        contact_email=owner_email,
    )
    return owner, enterprise


def _owner_of(email: str):
    owner = User.objects.get(email=email)
    enterprise = Enterprise.objects.get(memberships__user=owner, memberships__ended_at__isnull=True)
    return owner, enterprise


def seed(stdout) -> list[tuple[str, str]]:
    clerk = User.objects.get(email=CLERK)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    extra = {spec[3]: _enterprise(*spec) for spec in MORE_ENTERPRISES}
    owners = {email: _owner_of(email) for email in ("owner@jiangxin.example", "owner@yunshang.example")}
    owners["owner@zhipei.example"] = _owner_of("owner@zhipei.example")
    owners.update(extra)
    logins: list[tuple[str, str]] = []

    def stage(email: str, description: str, build) -> None:
        owner, enterprise = owners[email]
        if not Application.objects.filter(enterprise=enterprise).exists():
            application = build(owner, enterprise)
            stdout.write(f"  {application.reference}  {enterprise.name}: {description}")
        if email in extra:
            logins.append((email, f"企业管理员 · {enterprise.name} · 申请{description}"))

    def supplement(owner, enterprise):
        application = _complete_draft(owner, enterprise, "jiangxin")
        services.application_submit(by=owner, application=application, today=subtract_working_days(today, 3))
        services.application_request_supplement(
            by=clerk,
            application=application,
            items={
                "business_licence": "营业执照扫描件不清晰，请上传清晰的彩色扫描件（含年检信息）。",
                "equipment_list": "设备清单缺少检测设备（如三坐标测量仪）的型号和校准日期。",
            },
            message="请补充以下两项材料后重新提交。受理期限自重新提交之日起重新计算。",
        )
        return application

    def draft(owner, enterprise):
        application = services.application_create(by=owner, enterprise=enterprise)
        services.application_update_details(
            by=owner,
            application=application,
            categories=["custom_apparel", "other"],
            service_stages=["requirements_research", "solution_design"],
        )
        services.site_add(
            by=owner, application=application, kind="design_studio", name="设计工作室", address=enterprise.address
        )
        for code in ("business_licence", "company_profile", "service_scope_statement", "equipment_list"):
            _upload(owner, application, code, "yunshang")
        return application

    def submitted(owner, enterprise, worked: int, tag: str):
        details = {**FULL_DETAILS, "categories": ["custom_electronic_accessories"]} if tag == "zhipei" else None
        application = _complete_draft(owner, enterprise, tag, details=details)
        # Received `worked` working days ago: due 5 − worked working days from today (negative: overdue).
        return services.application_submit(
            by=owner, application=application, today=subtract_working_days(today, worked)
        )

    def accepted(owner, enterprise):
        application = submitted(owner, enterprise, 6, "qiaoshou")
        return services.application_accept(by=clerk, application=application)

    def out_of_scope(owner, enterprise):
        details = {
            "categories": ["other"],
            "other_category_description": "标准规格的五金合页、抽屉滑轨（按目录型号批量生产销售）",
            "service_stages": ["manufacturing"],
            "service_description": "按产品目录的标准型号批量生产，经销商销售；不接受客户定制。",
        }
        application = _complete_draft(owner, enterprise, "biaozhun", details=details)
        services.application_submit(by=owner, application=application, today=subtract_working_days(today, 1))
        return services.application_not_accept(
            by=clerk,
            application=application,
            reason="申请材料显示贵公司仅按目录型号批量生产销售标准化五金件，未涉及定制服务，"
            "依据认证规范第1章不在本认证范围内。",
            out_of_scope=True,
        )

    stage("owner@jiangxin.example", "补充材料中", supplement)
    stage("owner@yunshang.example", "草稿，尚未填完", draft)
    stage("owner@zhipei.example", "已提交，3 个工作日后到期", lambda o, e: submitted(o, e, 2, "zhipei"))
    stage("owner@muyu.example", "已提交，受理已逾期", lambda o, e: submitted(o, e, 7, "muyu"))
    stage("owner@qiaoshou.example", "已受理", accepted)
    stage("owner@biaozhun.example", "不予受理（超出范围）", out_of_scope)
    return logins

"""Demo satisfaction surveys, one per state, on the applications of certflow.reviews.demo:

- 青岛海木: collecting — its customer list is imported, not yet drawn;
- 宁波巧手: open — links sent, some answered on the web, some by phone call-back;
- 成都锦程: closed, passed;
- 厦门匠作: closed below 80 %, cause analysis and improvement submitted.

Customer names and phone numbers are generated from a fixed seed, so every run gives the same list.
Idempotent: an application that already has a survey is skipped.
"""

import csv
import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from certflow.accounts.models import User
from certflow.applications.models import Application
from certflow.reviews.demo import AWAITING, CORRECTIONS, IN_PROGRESS, PASSED
from certflow.surveys import services
from certflow.surveys.models import Survey
from certflow.surveys.senders import MemorySmsSender

CLERK, MANAGER = "clerk@olis-cert.example", "manager@olis-cert.example"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲红梅晓燕鹏飞宇浩然欣怡子涵思远嘉怡俊杰雨桐"
PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "177",
    "180",
    "186",
    "188",
    "199",
)
CATEGORY_NAMES = ("定制家具", "定制服饰", "定制电子配件")
HEADER = ["姓名", "电话", "邮箱", "商品类别", "订单号", "下单日期", "交付日期"]
# The sender used while loading the demo: it keeps the links so the demo can answer some of them.
DEMO_SENDERS = {"email": "certflow.surveys.senders.EmailSender", "sms": "certflow.surveys.senders.MemorySmsSender"}


def customers(seed: int, n: int, categories: tuple[str, ...]) -> list[list[str]]:
    rng = random.Random(seed)
    today = timezone.localdate()
    rows = []
    for i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}"
        ordered = today - timedelta(days=rng.randrange(40, 400))
        delivered = ordered + timedelta(days=rng.randrange(7, 35))
        email = f"user{seed}{i:04d}@example.com" if rng.random() < 0.6 else ""
        rows.append(
            [name, phone, email, rng.choice(categories), f"DZ{seed}{i:05d}", ordered.isoformat(), delivered.isoformat()]
        )
    rows.append(list(rows[3]))  # the same customer twice: the import merges them
    rows[-1][4] = f"DZ{seed}X0003"
    return rows


def _csv(rows) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    # Excel in China writes GBK; the demo list is GBK as the enterprise would upload it.
    return SimpleUploadedFile("用户名单.csv", out.getvalue().encode("gbk"), content_type="text/csv")


def _owner(application: Application) -> User:
    return User.objects.filter(
        memberships__enterprise=application.enterprise, memberships__ended_at__isnull=True
    ).first()


def _application(spec) -> Application | None:
    return Application.objects.filter(enterprise__name=spec[0]).order_by("id").first()


def _collect(application, clerk, seed: int, n: int, categories) -> Survey:
    survey = services.survey_create(by=clerk, application=application)
    with override_settings(CERTFLOW_SURVEY_IMPORT_MODE="inline"):
        services.list_upload(by=_owner(application), survey=survey, upload=_csv(customers(seed, n, categories)))
    survey.refresh_from_db()
    return survey


def _open(survey, clerk) -> list[str]:
    services.survey_draw(by=clerk, survey=survey)
    survey.refresh_from_db()
    services.survey_open(by=clerk, survey=survey, closes_on=timezone.localdate() + timedelta(days=21))
    MemorySmsSender.outbox.clear()
    with override_settings(CERTFLOW_SURVEY_SENDERS=DEMO_SENDERS):
        services.invitations_send(by=clerk, survey=survey, medium="sms", base_url="http://127.0.0.1:8000/")
    tokens = [m.text.split("/s/")[1].split("/")[0] for m in MemorySmsSender.outbox]
    # Customers answer in no particular order: spread the demo's answers over the strata.
    random.Random(len(tokens)).shuffle(tokens)
    return tokens


def _answer(rng, tokens, dimensions, satisfied_share: float, comments) -> None:
    for token in tokens:
        ratings = {}
        for code in dimensions:
            if rng.random() < 0.08:
                continue  # not applicable to this customer
            ratings[code] = rng.choice((4, 5)) if rng.random() < satisfied_share else rng.choice((1, 2, 3))
        services.response_submit(
            token=token,
            ratings=ratings,
            overall=max(ratings.values(), default=4),
            comment=rng.choice(comments),
            user_agent="demo",
        )


def _calls(rng, survey, clerk, n: int, dimensions, satisfied_share: float) -> None:
    waiting = list(survey.invitations.filter(used_at__isnull=True).order_by("pk"))
    rng.shuffle(waiting)
    waiting = sorted(waiting[:n], key=lambda inv: inv.pk)
    for i, invitation in enumerate(waiting):
        if i % 4 == 3:
            services.call_record(by=clerk, invitation=invitation, outcome="no_answer", note="无人接听，明天再拨")
            continue
        if i % 7 == 5:
            services.call_record(by=clerk, invitation=invitation, outcome="refused", note="客户表示不便参加")
            continue
        ratings = {c: (rng.choice((4, 5)) if rng.random() < satisfied_share else 3) for c in dimensions}
        services.call_record(by=clerk, invitation=invitation, outcome="answered", ratings=ratings, overall=4)


COMMENTS_GOOD = (
    "",
    "",
    "设计师很耐心，方案改了三次都没有怨言。",
    "安装师傅很专业，现场清理干净。",
    "交货比约定早了两天。",
)
COMMENTS_BAD = (
    "",
    "交货延迟了两周，客服回复慢。",
    "柜门颜色和样板有差异，售后处理拖了很久。",
    "测量有误差，返工一次。",
)


def seed(stdout) -> list[tuple[str, str]]:
    clerk = User.objects.get(email=CLERK)
    manager = User.objects.filter(email=MANAGER).first() or clerk
    rng = random.Random(20260056)
    links: list[str] = []

    application = _application(AWAITING)
    if application and not application.surveys.exists():
        _collect(application, clerk, 101, 180, ("定制家具",))

    application = _application(IN_PROGRESS)
    if application and not application.surveys.exists():
        survey = _collect(application, clerk, 102, 260, CATEGORY_NAMES)
        dimensions = survey.application.scheme_version.as_scheme().survey.dimension_codes
        tokens = _open(survey, clerk)
        _answer(rng, tokens[:40], dimensions, 0.88, COMMENTS_GOOD)
        _calls(rng, survey, clerk, 24, dimensions, 0.85)
        links = tokens[40:43]

    application = _application(PASSED)
    if application and not application.surveys.exists():
        survey = _collect(application, clerk, 103, 140, ("定制服饰",))
        dimensions = survey.application.scheme_version.as_scheme().survey.dimension_codes
        tokens = _open(survey, clerk)
        _answer(rng, tokens[:70], dimensions, 0.93, COMMENTS_GOOD)
        _calls(rng, survey, clerk, 20, dimensions, 0.9)
        services.survey_close(by=manager, survey=survey)

    application = _application(CORRECTIONS)
    if application and not application.surveys.exists():
        survey = _collect(application, clerk, 104, 90, ("定制家具", "定制电子配件"))
        dimensions = survey.application.scheme_version.as_scheme().survey.dimension_codes
        tokens = _open(survey, clerk)
        _answer(rng, tokens[:45], dimensions, 0.68, COMMENTS_BAD + COMMENTS_GOOD)
        _calls(rng, survey, clerk, 12, dimensions, 0.7)
        survey = services.survey_close(by=manager, survey=survey)
        if survey.status == "improvement_required":
            services.improvement_submit(
                by=_owner(application),
                survey=survey,
                cause_analysis="交付延期集中在 2025 年第三季度：板材供应商更换导致备料周期延长；"
                "客服未及时告知客户进度，售后工单平均响应超过 48 小时。",
                improvement="1. 与两家板材供应商签订保供协议，关键板材保持两周安全库存；"
                "2. 订单进度每周主动短信告知客户；3. 售后工单 24 小时内首次响应，纳入客服考核。",
                completion_date=timezone.localdate() + timedelta(days=60),
            )

    for token in links:
        stdout.write(f"  演示问卷链接 / demo questionnaire link: /s/{token}/")
    return [
        (CLERK, "满意度调查：抽样、电话回访（巧手进行中，锦程达标，匠作待评审改进）"),
        (MANAGER, "满意度调查：评审改进、安排复查"),
        (CORRECTIONS[3], f"企业管理员 · {CORRECTIONS[0]} · 满意度未达标，改进已提交"),
        (AWAITING[3], f"企业管理员 · {AWAITING[0]} · 满意度调查：名单已导入，待抽样"),
    ]

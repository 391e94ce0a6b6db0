"""The refusal notice (不予认证通知书, clause 6 认证决定 2) and the printable decision dossier, as Chinese A4 PDFs
with the font embedded.

The notice is built once, when the decision is taken, and kept with its SHA-256 (services._refuse): the
enterprise downloads the very document it received. The dossier PDF is built on demand from what the
committee reads on the page.
"""

from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from certflow.core.pdf import CONTENT_WIDTH, build_pdf, para, styles, table

MM = 72 / 25.4
APPEAL_PATH = "/lifecycle/appeals/new/"


def _date(value: date | None) -> str:
    return "—" if value is None else f"{value.year}年{value.month}月{value.day}日"


def _bilingual(zh: str, en: str) -> Paragraph:
    """One table cell: the Chinese reason, the English in smaller grey text below it."""
    text = escape(zh).replace("\n", "<br/>")
    if en:
        text += f'<br/><font size="8" color="#555555">{escape(en)}</font>'
    return Paragraph(text, styles()["cell"])


def _person(user) -> str:
    return (user.full_name or user.email) if user else "—"


def refusal_notice_pdf(decision, *, reasons: list[list[str]], decided_on: date, signer) -> bytes:
    """The 不予认证通知书 of `decision`: every reason (Chinese, English below), how to re-apply and appeal.

    A Chinese document whoever takes the decision: labels are rendered in Chinese.
    """
    with translation.override("zh-hans"):
        return _refusal_notice_pdf(decision, reasons=reasons, decided_on=decided_on, signer=signer)


def _refusal_notice_pdf(decision, *, reasons, decided_on, signer) -> bytes:
    application = decision.application
    enterprise = decision.enterprise
    scheme = application.scheme_version.as_scheme()

    story = [para("不予认证通知书", "title")]
    story.append(para(f"致：{enterprise.name}"))
    story.append(
        para(
            f"贵单位依据 {scheme.code}《{scheme.title.zh}》（版本 {scheme.version}）提出的认证申请"
            f"（申请编号 {application.reference}），经文件审核、现场审核和用户满意度调查，"
            f"由{scheme.issuer.zh}技术委员会审议，决定不予认证。现将决定及理由通知如下。"
        )
    )
    facts = [
        ["认证机构", scheme.issuer.zh],
        ["申请编号", application.reference],
        ["申请企业", enterprise.name],
        ["统一社会信用代码", enterprise.uscc or "—"],
        ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
        ["认证决定", "不予认证"],
        ["决定日期", _date(decided_on)],
    ]
    story.append(table(facts, [38 * MM, CONTENT_WIDTH - 38 * MM], header=False))

    story.append(para("一、不予认证的理由", "heading"))
    rows = [["序号", "理由 / Reason"]]
    for number, reason in enumerate(reasons, start=1):
        zh = reason[0] if reason else ""
        en = reason[1] if len(reason) > 1 else ""
        rows.append([str(number), _bilingual(zh, en)])
    story.append(table(rows, [14 * MM, CONTENT_WIDTH - 14 * MM]))

    acknowledge = settings.CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS
    decide = settings.CERTFLOW_CASE_DECIDE_DAYS
    closing = [
        para("二、重新申请", "heading"),
        para(
            "贵单位可针对上述理由完成整改后，重新提出认证申请（认证规范第6章 认证决定 第2款）。"
            "重新申请为一份新的申请，须重新经过申请受理、文件审核、现场审核和用户满意度调查；本次申请的记录作为历史存档。"
        ),
        para(
            "You may apply again once the reasons above are corrected; a new application goes through "
            "acceptance, document review, on-site audit and the satisfaction survey again.",
            "small",
        ),
        para("三、申诉", "heading"),
        para(
            f"如对本决定有异议，贵单位可登录认证管理系统，在“申诉”页面（{APPEAL_PATH}）针对申请 "
            f"{application.reference} 提出申诉，并说明理由。认证机构在收到申诉后 {acknowledge} 个工作日内受理，"
            f"{decide} 日内作出处理决定；处理申诉的人员未参与本次认证决定。"
        ),
        para(
            f"If you disagree with this decision, lodge an appeal against application {application.reference} "
            f"in the certification system ({APPEAL_PATH}). The certification body acknowledges it within "
            f"{acknowledge} working days and decides within {decide} days; those who handle it took no part "
            "in this decision.",
            "small",
        ),
        Spacer(1, 6 * MM),
        table(
            [
                ["签发人", _person(signer), "电子邮箱", getattr(signer, "email", "") or "—"],
                ["签发单位", scheme.issuer.zh, "签发日期", _date(decided_on)],
            ],
            [24 * MM, 60 * MM, 24 * MM, CONTENT_WIDTH - 108 * MM],
            header=False,
        ),
    ]
    story.append(KeepTogether(closing))

    return build_pdf(
        story,
        title=f"不予认证通知书 {application.reference}",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 不予认证通知书 · {application.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )


def dossier_pdf(decision) -> bytes:
    """The dossier as the committee reads it on the page (selectors.dossier_view), with the members and their
    opinions: for the meeting table and the file. Staff only (views.dossier_pdf_view)."""
    with translation.override("zh-hans"):
        return _dossier_pdf(decision)


def _yes(ok: bool) -> str:
    return "✓" if ok else "✗"


def _dossier_pdf(decision) -> bytes:
    from certflow.decisions import selectors

    view = selectors.dossier_view(decision)
    application = decision.application
    enterprise = decision.enterprise
    scheme = view["scheme"]
    story = [para("认证决定材料", "title")]
    facts = [
        ["申请编号", application.reference],
        ["申请企业", enterprise.name],
        ["统一社会信用代码", enterprise.uscc or "—"],
        ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
        ["申请类型", application.get_application_type_display()],
        ["认证范围", "、".join(_category_names(scheme, application)) or "—"],
        ["状态", decision.get_status_display()],
        ["材料时点", "决定时冻结" if view["frozen"] else "按当前记录生成"],
    ]
    story.append(table(facts, [38 * MM, CONTENT_WIDTH - 38 * MM], header=False))

    story.append(para("一、文件审核", "heading"))
    review = view["review"]
    if review:
        story.append(
            table(
                [
                    ["结果", "审核员", "报告日期", "通过时间"],
                    [
                        review["status_label"],
                        review["reviewer"] or "—",
                        review["completed_on"] or "—",
                        review["passed_at"] or "—",
                    ],
                ],
                [30 * MM, 40 * MM, 40 * MM, CONTENT_WIDTH - 110 * MM],
            )
        )
    else:
        story.append(para("无文件审核记录。"))

    story.append(para("二、现场审核", "heading"))
    rows = [["审核编号", "类型", "审核日期", "审核组", "结果"]]
    for audit in view["audits"]:
        team = "、".join(f"{m['name']}（{m['role']}）" for m in audit["team"]) or "—"
        rows.append(
            [audit["reference"], audit["type_label"], "\n".join(audit["days"]) or "—", team, audit["status_label"]]
        )
    if len(rows) > 1:
        story.append(table(rows, [30 * MM, 26 * MM, 26 * MM, CONTENT_WIDTH - 104 * MM, 22 * MM]))
    else:
        story.append(para("无现场审核记录。"))

    story.append(para("三、不符合项", "heading"))
    rows = [["编号", "阶段", "条款项", "等级", "状态", "整改期限", "验证关闭"]]
    for nc in view["nonconformities"]:
        rows.append(
            [
                nc["number"],
                nc["stage_label"],
                nc["item"],
                nc["grade_label"],
                nc["state_label"],
                nc["due_date"] or "—",
                nc["verified_at"][:10] or "—",
            ]
        )
    if len(rows) > 1:
        widths = [34 * MM, 20 * MM, 16 * MM, 24 * MM, 28 * MM, 22 * MM]
        story.append(table(rows, [*widths, CONTENT_WIDTH - sum(widths)]))
    else:
        story.append(para("未发现不符合项。"))

    story.append(para("四、用户满意度调查", "heading"))
    survey = view["survey"]
    if survey:
        story.append(
            table(
                [
                    ["轮次", "有效答复", "满意", "满意率", "95% 置信区间（Wilson）", "达标线", "结果"],
                    [
                        str(survey["round"]),
                        str(survey["answered"]),
                        str(survey["satisfied"]),
                        survey["share_text"],
                        survey["interval_text"],
                        survey["threshold_text"],
                        {True: "达标", False: "未达标", None: "尚无结果"}[survey["passed"]],
                    ],
                ],
                [14 * MM, 20 * MM, 16 * MM, 20 * MM, 44 * MM, 18 * MM, CONTENT_WIDTH - 132 * MM],
            )
        )
    else:
        story.append(para("尚无用户满意度调查。"))

    story.append(para("五、评分与等级", "heading"))
    score = "—" if view["score"] is None else f"{view['score']:.1f} / {view['max_score']}"
    story.append(
        table(
            [["评分", score], ["等级", view["grade_name"] or "—"], ["评级规则", view["grading_label"]]],
            [38 * MM, CONTENT_WIDTH - 38 * MM],
            header=False,
        )
    )

    story.append(para("六、颁证条件", "heading"))
    rows = [["条件", "是否满足"]] + [[p["zh"], _yes(p["ok"])] for p in view["preconditions"]]
    story.append(table(rows, [CONTENT_WIDTH - 30 * MM, 30 * MM]))
    for zh, en in view["grant_problems"]:
        story.append(para(f"✗ {zh}", "body"))
        story.append(para(en, "small"))

    story.append(para("七、技术委员会", "heading"))
    story.append(para(f"表决规则：{view['committee_rule']}"))
    rows = [["委员", "公正性声明", "表决意见", "意见说明", "状态"]]
    for seat in selectors.seats(decision):
        member, opinion = seat.member, seat.opinion
        rows.append(
            [
                _person(member.user),
                f"{member.impartiality_declared_at:%Y-%m-%d}" if member.impartiality_declared_at else "—",
                opinion.get_vote_display() if opinion else "未表决",
                opinion.reasoning if opinion and opinion.reasoning else "—",
                f"已退出：{member.removed_reason}" if member.removed_at else "在任",
            ]
        )
    story.append(table(rows, [28 * MM, 24 * MM, 24 * MM, CONTENT_WIDTH - 106 * MM, 30 * MM]))
    if decision.status != "open":
        outcome = decision.get_status_display()
        if decision.certificate_id:
            outcome += f"，证书编号 {decision.certificate.number}"
        story.append(para(f"认证决定：{outcome}（{_date(decision.decided_on)}）"))

    return build_pdf(
        story,
        title=f"认证决定材料 {application.reference}",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 认证决定材料 · {application.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )


def _category_names(scheme, application) -> list[str]:
    names = {c.code: c.name.zh for c in scheme.scope.categories}
    return [names.get(code, code) for code in application.categories]

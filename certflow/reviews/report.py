"""The document-review report (文件审核报告, clause 6 文件审核 2) as a Chinese PDF with its font embedded."""

from django.utils import timezone
from reportlab.platypus import KeepTogether, Spacer

from certflow.core.pdf import CONTENT_WIDTH, build_pdf, para, table
from certflow.reviews.domain import ChecklistResult, NonconformityGrade, NonconformityState, ReviewStatus
from certflow.reviews.models import DocumentReview
from certflow.reviews.selectors import checklist, scheme_for

MM = 72 / 25.4


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _person(user) -> str:
    return user.full_name or user.email if user else "—"


def _evidence(entry, material_names: dict[str, str]) -> str:
    if entry is None or entry.evidence is None:
        return ""
    text = f"{material_names.get(entry.evidence.material, entry.evidence.material)}：{entry.evidence.original_name}"
    return text + (f" 第 {entry.evidence_page} 页" if entry.evidence_page else "")


def _result(entry) -> str:
    if entry is None:
        return str(ChecklistResult.UNANSWERED.label)
    return str(ChecklistResult(entry.result).label)


def _note(entry) -> str:
    if entry is None:
        return ""
    if entry.result == ChecklistResult.NOT_APPLICABLE:
        return f"不适用理由：{entry.na_reason}" + (f"\n{entry.note}" if entry.note else "")
    return entry.note


def review_report_pdf(review: DocumentReview) -> bytes:
    """The report of `review` (load it with `selectors.review_detail` to keep the queries few)."""
    application = review.application
    enterprise = application.enterprise
    scheme = scheme_for(application)
    material_names = {m.code: m.name.zh for m in scheme.materials}
    draft = review.status == ReviewStatus.IN_PROGRESS

    story = [para("文件审核报告" + ("（草稿）" if draft else ""), "title")]
    if draft:
        story.append(para("本报告为审核进行中的草稿，不作为正式文件审核报告。", "small"))
    story.append(
        table(
            [
                ["认证机构", scheme.issuer.zh],
                ["申请编号", application.reference],
                ["受审核企业", enterprise.name],
                ["统一社会信用代码", enterprise.uscc],
                ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
                ["文件审核员", _person(review.reviewer)],
                ["指派日期", _date(review.assigned_at)],
                ["报告日期", _date(review.completed_on)],
                ["审核依据", "第5章 认证模式 1（文件审核）；第6章 认证流程 文件审核 1–2"],
            ],
            [38 * MM, CONTENT_WIDTH - 38 * MM],
            header=False,
        )
    )

    story.append(para("一、检查表", "heading"))
    rows = [["条款项", "要求", "结果", "说明", "证据"]]
    for group in checklist(review):
        for row in group.rows:
            rows.append(
                [
                    row.item.id,
                    row.item.title.zh,
                    _result(row.entry),
                    _note(row.entry),
                    _evidence(row.entry, material_names),
                ]
            )
    story.append(table(rows, [17 * MM, 36 * MM, 22 * MM, 57 * MM, CONTENT_WIDTH - 132 * MM]))

    story.append(para("二、不符合项", "heading"))
    nonconformities = list(review.nonconformities.all())
    if nonconformities:
        rows = [["编号", "条款项", "等级", "不符合事实", "整改期限", "状态"]]
        for nc in nonconformities:
            rows.append(
                [
                    nc.number,
                    nc.item_id,
                    str(NonconformityGrade(nc.grade).label),
                    nc.description,
                    _date(nc.due_date),
                    str(NonconformityState(nc.state).label),
                ]
            )
        story.append(table(rows, [37 * MM, 15 * MM, 24 * MM, 45 * MM, 28 * MM, CONTENT_WIDTH - 149 * MM]))
        story.append(Spacer(1, 2 * MM))
        story.append(
            para(
                "企业须在整改期限内针对每个不符合项提交整改报告（原因分析、纠正、纠正措施及证据）；"
                "认证机构验证整改有效后，方可进入现场审核阶段（第6章 文件审核 2）。",
                "small",
            )
        )
    elif draft:
        story.append(para("（审核完成时列出）"))
    else:
        story.append(para("未发现不符合项。"))

    conclusion = [para("三、审核结论", "heading"), para(review.summary or "—")]
    if review.status == ReviewStatus.PASSED:
        conclusion.append(para(f"文件审核已于 {_date(review.passed_at)} 通过。"))
    conclusion += [
        Spacer(1, 6 * MM),
        table(
            [["文件审核员", _person(review.reviewer), "签字", ""], ["报告日期", _date(review.completed_on), "", ""]],
            [28 * MM, 62 * MM, 20 * MM, CONTENT_WIDTH - 110 * MM],
            header=False,
        ),
    ]
    story.append(KeepTogether(conclusion))

    return build_pdf(
        story,
        title=f"文件审核报告 {application.reference}",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 文件审核报告 · {application.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )

"""用户满意度调查报告 (6 用户满意度调查 1–2) as a Chinese PDF: method, response, distributions, result.

The charts are drawn with reportlab's own vector graphics in the embedded font (an SVG would need a
converter and a font of its own). No respondent's name, phone number, address or comment appears; the
integrity flags are printed only on the CB's copy (`flags` given).
"""

from __future__ import annotations

from fractions import Fraction

from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Spacer

from certflow.core.pdf import CONTENT_WIDTH, FONT, build_pdf, para, table
from certflow.surveys.aggregates import Results
from certflow.surveys.charts import COLOURS, FAIL, INK, MUTED, PASS
from certflow.surveys.domain import Channel, SurveyStatus
from certflow.surveys.integrity import Flag
from certflow.surveys.statistics import MIN_RESPONDENTS_FOR_DETAIL, Verdict, percent_text, ratio

MM = 72 / 25.4


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _rate(value: Fraction | None, part: int, whole: int) -> str:
    return "—" if value is None else f"{percent_text(value)}（{part} / {whole}）"


def distribution_drawing(results: Results) -> Drawing:
    """One 100 % bar per dimension split by rating, as in the page's chart."""
    rules = results.scheme.survey
    width = CONTENT_WIDTH
    label_w, bar_h, gap = 30 * MM, 5.5 * MM, 3 * MM
    rows = list(results.dimensions)
    height = len(rows) * (bar_h + gap) + 12 * MM
    drawing = Drawing(width, height, initialFontName=FONT)  # else reportlab starts the drawing in Helvetica
    y = height - bar_h
    bar_w = width - label_w
    for d in rows:
        drawing.add(String(0, y + 4, d.name.zh, fontName=FONT, fontSize=8.5))
        if d.answered == 0:
            drawing.add(Rect(label_w, y, bar_w, bar_h, fillColor=colors.HexColor("#f5f7f8"), strokeColor=colors.grey))
            drawing.add(String(label_w + bar_w / 2, y + 4, "无人作答", fontName=FONT, fontSize=8, textAnchor="middle"))
        else:
            x = label_w
            for value in sorted(d.counts):
                n = d.counts[value]
                if not n:
                    continue
                w = bar_w * n / d.answered
                drawing.add(Rect(x, y, w, bar_h, fillColor=colors.HexColor(COLOURS[value]), strokeColor=None))
                if w >= 9 * MM:
                    drawing.add(
                        String(
                            x + w / 2,
                            y + 4,
                            percent_text(Fraction(n, d.answered), places=0),
                            fontName=FONT,
                            fontSize=7.5,
                            textAnchor="middle",
                            fillColor=colors.HexColor(INK[value]),
                        )
                    )
                x += w
        y -= bar_h + gap
    x = label_w
    for value, text in rules.scale_labels:
        drawing.add(Rect(x, 2 * MM, 3 * MM, 3 * MM, fillColor=colors.HexColor(COLOURS[value]), strokeColor=None))
        drawing.add(String(x + 4 * MM, 2.4 * MM, f"{value} {text.zh}", fontName=FONT, fontSize=7.5))
        x += bar_w / len(rules.scale_labels)
    return drawing


def result_drawing(results: Results) -> Drawing:
    """The share on 0–100 %, the threshold line and the Wilson interval."""
    outcome = results.outcome
    width, height = CONTENT_WIDTH, 22 * MM
    drawing = Drawing(width, height, initialFontName=FONT)
    left, span = 2 * MM, width - 4 * MM
    bar_y, bar_h = 10 * MM, 6 * MM
    colour = colors.HexColor(MUTED if outcome.verdict == Verdict.NO_RESULT else PASS if outcome.passed else FAIL)
    drawing.add(Rect(left, bar_y, span, bar_h, fillColor=colors.HexColor("#eef1f3"), strokeColor=colors.grey))
    if outcome.share is not None:
        drawing.add(Rect(left, bar_y, span * float(outcome.share), bar_h, fillColor=colour, strokeColor=None))
    tx = left + span * float(outcome.threshold)
    drawing.add(Line(tx, bar_y - 1 * MM, tx, bar_y + bar_h + 2 * MM, strokeWidth=1.5, strokeDashArray=[3, 2]))
    drawing.add(
        String(
            tx,
            bar_y + bar_h + 3 * MM,
            f"达标线 {outcome.threshold_text}",
            fontName=FONT,
            fontSize=8,
            textAnchor="middle",
        )
    )
    if outcome.interval is not None:
        lo, hi = left + span * outcome.interval.low, left + span * outcome.interval.high
        wy = bar_y - 4 * MM
        drawing.add(Line(lo, wy, hi, wy, strokeWidth=1))
        drawing.add(Line(lo, wy - 1.5 * MM, lo, wy + 1.5 * MM, strokeWidth=1))
        drawing.add(Line(hi, wy - 1.5 * MM, hi, wy + 1.5 * MM, strokeWidth=1))
        drawing.add(
            String(
                hi + 2 * MM if hi < span * 0.8 else lo - 2 * MM,
                wy - 1 * MM,
                f"置信区间 {outcome.interval_text}",
                fontName=FONT,
                fontSize=7.5,
                textAnchor="start" if hi < span * 0.8 else "end",
            )
        )
    for tick in range(0, 101, 20):
        x = left + span * tick / 100
        drawing.add(
            String(
                x,
                0.5 * MM,
                f"{tick}%",
                fontName=FONT,
                fontSize=7,
                textAnchor="middle",
                fillColor=colors.HexColor(MUTED),
            )
        )
    return drawing


def _verdict_text(results: Results) -> str:
    outcome = results.outcome
    if outcome.verdict == Verdict.NO_RESULT:
        return "暂无结果：尚无已作答评分（既不是达标，也不是未达标）。"
    verdict = "达标" if outcome.passed else "未达标"
    reached = "达到" if outcome.passed else "未达到"
    text = f"满意度 {outcome.share_text}（{outcome.fraction_text}），"
    text += f"{reached}达标线 {outcome.threshold_text}，{verdict}。"
    if not outcome.passed:
        text += "企业须分析原因并采取改进措施，认证机构视情况进行复查（第6章 用户满意度调查 2）。"
    return text


def survey_report_pdf(results: Results, *, flags: list[Flag] | None = None, detail: bool = True) -> bytes:
    survey = results.survey
    application = survey.application
    enterprise = survey.enterprise
    scheme = results.scheme
    rules = scheme.survey
    tally = results.tally
    outcome = results.outcome
    sample = rules.sample_size
    provisional = not results.final

    story = [para("用户满意度调查报告" + ("（暂定）" if provisional else ""), "title")]
    if provisional:
        story.append(para("调查尚未结束，以下为截至出具时的暂定统计，不作为调查结论。", "small"))
    story.append(
        table(
            [
                ["认证机构", scheme.issuer.zh],
                ["申请编号", application.reference],
                ["受调查企业", enterprise.name],
                ["统一社会信用代码", enterprise.uscc],
                ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
                ["调查轮次", f"第 {survey.round} 轮" + ("（复查）" if survey.round > 1 else "")],
                ["状态", str(SurveyStatus(survey.status).label)],
                [
                    "调查期间",
                    f"{_date(survey.opened_at)} 至 {_date(survey.closed_at) if survey.closed_at else '（进行中）'}",
                ],
                ["依据", f"{rules.threshold.source}；{rules.result_definition.zh}"],
            ],
            [34 * MM, CONTENT_WIDTH - 34 * MM],
            header=False,
        )
    )

    story.append(para("一、调查方法", "heading"))
    story.append(
        table(
            [
                ["调查方式", "、".join(m.name.zh for m in rules.methods)],
                [
                    "样本量规则",
                    f"Cochran 公式含有限总体校正：置信水平 {percent_text(sample.confidence, places=0)}，"
                    f"z = {float(sample.z):g}，允许误差 ±{percent_text(sample.margin_of_error, places=0)}，"
                    f"p = {float(sample.proportion):g}；"
                    f"不少于 {sample.floor}（名单不足时全部），不多于 {sample.ceiling}",
                ],
                ["用户名单总数", "—" if survey.population is None else str(survey.population)],
                ["样本量", "—" if survey.sample_size is None else str(survey.sample_size)],
                ["抽样时间", _date(survey.drawn_at)],
                ["随机种子", survey.seed or "—"],
                ["抽样框 SHA-256", survey.frame_sha256 or "—"],
            ],
            [34 * MM, CONTENT_WIDTH - 34 * MM],
            header=False,
        )
    )
    story.append(para("以随机种子和抽样框摘要可复现抽样结果。", "small"))

    story.append(para("二、回收情况", "heading"))
    channel_rows = [[str(label), str(tally.by_channel.get(value, 0))] for value, label in Channel.choices]
    story.append(
        table(
            [
                ["抽中并邀请的用户", str(tally.invited)],
                ["已发送邀请", str(tally.sent)],
                ["回收答卷", str(tally.respondents)],
                *channel_rows,
                ["回收率（答卷 ÷ 邀请）", _rate(results.response_rate, tally.respondents, tally.invited)],
                [
                    "样本量完成率（答卷 ÷ 样本量）",
                    _rate(results.target_reached, tally.respondents, survey.sample_size or 0),
                ],
            ],
            [60 * MM, CONTENT_WIDTH - 60 * MM],
            header=False,
        )
    )

    section = [para("三、各维度评分分布", "heading")]
    scale = [value for value, _text in rules.scale_labels]
    if detail:
        rows = [
            ["维度", *[f"{v} {t.zh}" for v, t in rules.scale_labels], "作答", f"满意（≥{rules.satisfied_min_rating}）"]
        ]
        for d in results.dimensions:
            rows.append([d.name.zh, *[str(d.counts.get(v, 0)) for v in scale], str(d.answered), percent_text(d.share)])
        rows.append(
            [
                "合计",
                *[str(sum(d.counts.get(v, 0) for d in results.dimensions)) for v in scale],
                str(tally.answered),
                percent_text(ratio(tally.satisfied, tally.answered)),
            ]
        )
        overall_total = sum(tally.overall.values())
        rows.append(
            ["总体评价（不计入满意度）", *[str(tally.overall.get(v, 0)) for v in scale], str(overall_total), "—"]
        )
        col = (CONTENT_WIDTH - 34 * MM - 16 * MM - 20 * MM) / len(scale)
        section.append(table(rows, [34 * MM, *[col] * len(scale), 16 * MM, 20 * MM]))
        story.append(KeepTogether(section))
        story.append(Spacer(1, 3 * MM))
        story.append(distribution_drawing(results))
    else:
        section.append(para(f"答卷少于 {MIN_RESPONDENTS_FOR_DETAIL} 份，为保护受访用户，不列出分布。"))
        story.append(KeepTogether(section))

    story.append(
        KeepTogether(
            [
                para("四、满意度结果", "heading"),
                para(f"计算方法：{rules.result_definition.zh}"),
                table(
                    [
                        ["满意评分数 ÷ 已作答评分数", outcome.fraction_text],
                        [
                            "满意度",
                            outcome.share_text + ("（显示值截尾，不四舍五入）" if outcome.share is not None else ""),
                        ],
                        [
                            f"{percent_text(sample.confidence, places=0)} 置信区间（Wilson）",
                            outcome.interval_text + ("（仅供参考，不作为判定依据）" if outcome.interval else ""),
                        ],
                        ["达标线", f"{outcome.threshold_text}（{rules.threshold.source}）"],
                    ],
                    [50 * MM, CONTENT_WIDTH - 50 * MM],
                    header=False,
                ),
                Spacer(1, 3 * MM),
                result_drawing(results),
                Spacer(1, 2 * MM),
                para("结论：" + _verdict_text(results)),
            ]
        )
    )

    if flags is not None:
        block = [para("五、数据完整性提示（仅认证机构存档，不发企业）", "heading")]
        if flags:
            block.append(
                table(
                    [["提示", "数量"], *[[flag.zh, str(flag.count)] for flag in flags]],
                    [CONTENT_WIDTH - 25 * MM, 25 * MM],
                )
            )
            block.append(para("提示仅表示需要核查，不改变统计结果，也不剔除任何答卷。", "small"))
        else:
            block.append(para("未发现需要核查的异常模式。"))
        story.append(KeepTogether(block))

    story.append(Spacer(1, 4 * MM))
    story.append(para("本报告仅含汇总数据，不含任何受访用户的姓名、电话、网络地址或逐份答卷。", "small"))

    return build_pdf(
        story,
        title=f"用户满意度调查报告 {application.reference} 第{survey.round}轮",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 用户满意度调查报告 · {application.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )

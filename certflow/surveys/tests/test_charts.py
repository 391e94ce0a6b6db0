"""The SVG charts parse as XML, carry their numbers as text, and fetch nothing from anywhere."""

import re
import xml.etree.ElementTree as ET

import pytest

from certflow.core.schemes.registry import get_scheme
from certflow.surveys.charts import Row, distribution_svg, result_svg
from certflow.surveys.statistics import evaluate

SVG = "{http://www.w3.org/2000/svg}"
RULES = get_scheme().survey
SCALE = [(value, text.zh) for value, text in RULES.scale_labels]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to prove it is well-formed


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def assert_self_contained(svg: str) -> None:
    # The only URL allowed is the SVG namespace name, which is an identifier, not a fetch.
    urls = set(re.findall(r"https?://[^\s\"']+", str(svg)))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "href" not in str(svg) and "<script" not in str(svg) and "@import" not in str(svg)


def test_the_distribution_chart_is_valid_accessible_and_labelled():
    rows = [
        Row("产品质量", {1: 2, 2: 3, 3: 10, 4: 40, 5: 45}, 4),
        Row("问题解决效果", dict.fromkeys(range(1, 6), 0), 4),
    ]
    svg = distribution_svg(rows, SCALE)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("viewBox").startswith("0 0 360 ")
    # No fixed pixel size: the chart takes the width it is given, down to a phone's.
    assert root.get("width") is None and "width:100%" in root.get("style") and "height:auto" in root.get("style")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "各维度评分分布" and "产品质量: 1=2, 2=3, 3=10, 4=40, 5=45" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    labels = texts(root)
    assert "产品质量  ·  n = 100  ·  满意 85.0 %" in labels
    assert "无人作答" in labels
    assert {"1 非常不满意", "5 非常满意"} <= set(labels)
    assert "45 %" in labels and "40 %" in labels
    # Segments of one bar add up to the full width.
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert sum(widths) == pytest.approx(360, abs=0.05)
    assert_self_contained(svg)


def test_labels_from_the_data_are_escaped():
    svg = distribution_svg([Row('<b>"质量"</b> & 服务', {4: 1}, 4)], SCALE)
    root = parse(svg)
    assert any('<b>"质量"</b> & 服务' in t for t in texts(root))
    assert "<b>" not in str(svg)


@pytest.mark.parametrize(
    ("answered", "satisfied", "headline"),
    [
        (370, 296, "满意度 80.0 %（296 / 370）达标"),
        (5000, 3999, "满意度 79.9 %（3999 / 5000）未达标"),
        (0, 0, "暂无结果：尚无已作答评分"),
    ],
)
def test_the_result_chart_states_the_verdict_in_words(answered, satisfied, headline):
    svg = result_svg(evaluate(answered, satisfied, RULES))
    root = parse(svg)
    labels = texts(root)
    assert labels[0] == headline
    assert "达标线 ≥ 80 %" in labels and "0 %" in labels and "100 %" in labels
    assert headline in root.find(f"{SVG}desc").text
    assert_self_contained(svg)


def test_the_result_chart_draws_the_threshold_at_80_percent_and_the_interval():
    outcome = evaluate(10, 8, RULES)
    root = parse(result_svg(outcome))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1 and float(dashed[0].get("x1")) == pytest.approx(10 + 340 * 0.8)
    assert any("置信区间（Wilson）：49.0 % – 94.4 %" in t for t in texts(root))
    assert root.find(f"{SVG}circle") is not None


def test_no_interval_is_drawn_without_a_result():
    root = parse(result_svg(evaluate(0, 0, RULES)))
    assert root.find(f"{SVG}circle") is None
    assert not any("置信区间" in t for t in texts(root))

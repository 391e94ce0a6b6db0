"""The shipped GZ-0056 A/0 file carries the standard's facts; expected texts are copied from the standard."""

import dataclasses
from datetime import date
from fractions import Fraction

import pytest

from certflow.core.schemes.loader import load_scheme
from certflow.core.schemes.tests.conftest import SHIPPED

EXPECTED_IDS = [
    "4.1-1", "4.1-2", "4.1-3", "4.2-1", "4.2-2", "4.2-3", "4.3-1", "4.3-2", "4.3-3",
    "4.3.1-1", "4.3.1-2", "4.3.1-3", "4.3.2-1", "4.3.2-2", "4.3.2-3", "4.3.3-1", "4.3.3-2", "4.3.3-3",
    "4.4-1", "4.4-2", "4.5-1", "4.5-2", "4.6-1", "4.6-2", "4.7-1", "4.7-2", "4.7-3",
    "4.8-1", "4.8-2", "4.8-3", "4.9-1", "4.9-2", "4.9-3", "4.9-4",
]  # fmt: skip

# Copied character for character from CTS OLS/GZ-0056-2025 A/0 (including 部門 and the
# half-width commas of 4.3.3-3 onward); only the bold markers of 4.3.1–4.3.3 are dropped.
VERBATIM = {
    "4.1-1": "企业应设立定制商品设计研发、生产管理、质量检测、客户服务等专职管理部門或配备专职管理人员，"
    "明确各部门和人员在定制商品设计、生产、服务等环节的职责。",
    "4.3-3": "具有良好的信誉和业绩，近 3 年内无重大生产安全事故、产品质量投诉及违法违规行为记录，"
    "定制商品设计、生产等指标符合国家相关要求。",
    "4.3.2-1": "生产设备与工艺：生产设备的配置应满足定制生产需求，生产工艺符合相关标准，确保定制商品的质量稳定性。"
    "例如，选用高精度加工设备、环保涂装工艺等，提升产品品质。",
    "4.3.3-3": "服务质量保障: 制定服务质量保障措施, 对定制商品的质量提供明确的质保期限和范围, "
    "确保客户在使用过程中获得持续的服务支持。",
    "4.4-2": "配备必要的检测设备, 如用于检测产品尺寸精度的仪器(如游标卡尺、三坐标测量仪等), "
    "以及用于检测产品质量的设备(如材料强度测试仪等), 以监控定制商品生产和质量。",
    "4.7-3": "经过专业培训和考核合格后上岗，熟悉定制商品设计生产流程、设备操作方法和质量标准，"
    "能熟练使用相关设备和工具，按标准和规范作业。",
    "4.9-2": "为员工配备必要的劳动防护用品，如安全帽、防护手套、安全鞋等，并确保员工正确佩戴和使用。",
    "4.9-4": "加强消防安全管理，配备必要的消防器材和设施，定期组织消防演练，确保员工掌握消防安全知识和技能，"
    "具备火灾应急处置能力。",
}
PER_CLAUSE = {
    "4.1": 3, "4.2": 3, "4.3": 3, "4.3.1": 3, "4.3.2": 3, "4.3.3": 3,
    "4.4": 2, "4.5": 2, "4.6": 2, "4.7": 3, "4.8": 3, "4.9": 4,
}  # fmt: skip


@pytest.fixture(scope="module")
def scheme():
    return load_scheme(SHIPPED)


def test_identity(scheme):
    assert (scheme.code, scheme.version) == ("CTS OLS/GZ-0056-2025", "A/0")
    assert scheme.title.zh == "定制商品服务认证规范"
    assert scheme.issuer.zh == "欧利斯认证有限公司"
    assert scheme.published == scheme.effective == date(2025, 7, 15)
    assert len(scheme.sha256) == 64


def test_34_requirement_items_in_clause_order(scheme):
    assert [item.id for item in scheme.requirements] == EXPECTED_IDS
    assert {clause: len(scheme.items_in_clause(clause)) for clause in PER_CLAUSE} == PER_CLAUSE


@pytest.mark.parametrize("item_id", sorted(VERBATIM))
def test_texts_are_the_standards_words(scheme, item_id):
    assert scheme.requirement(item_id).text == VERBATIM[item_id]


def test_every_item_has_titles_stages_and_a_weight(scheme):
    for item in scheme.requirements:
        assert item.title.zh and item.title.en and item.text
        assert item.stages and item.weight > 0
    assert sum(item.weight for item in scheme.requirements) == 100


def test_stages_follow_the_nature_of_the_item(scheme):
    assert scheme.requirement("4.2-1").stages == ("document_review", "onsite_audit")
    assert scheme.requirement("4.9-2").stages == ("onsite_audit", "surveillance")
    assert scheme.requirement("4.9-3").stages == ("onsite_audit", "surveillance")
    on_paper = {item.id for item in scheme.items_for_stage("document_review")}
    assert "4.9-2" not in on_paper and "4.2-1" in on_paper
    with pytest.raises(KeyError):
        scheme.items_for_stage("desk_review")


def test_materials(scheme):
    assert scheme.material_codes == (
        "business_licence",
        "industry_qualification",
        "custom_goods_contracts",
        "company_profile",
        "service_scope_statement",
        "management_system_documents",
        "personnel_certificates",
        "equipment_list",
        "design_and_production_cases",
    )
    assert scheme.material("equipment_list").name.zh == "设备清单"


def test_scope(scheme):
    codes = [c.code for c in scheme.scope.categories]
    assert codes == ["custom_furniture", "custom_apparel", "custom_electronic_accessories", "other"]
    assert scheme.scope.category("other").description_required
    assert [s.name.zh for s in scheme.scope.service_stages] == [
        "需求调研", "方案设计", "生产制造", "质量检测", "配送安装", "售后服务",
    ]  # fmt: skip
    assert "仅从事标准化商品生产销售且未涉及定制服务" in scheme.scope.exclusion.zh


def test_survey(scheme):
    survey = scheme.survey
    assert survey.dimension_codes == (
        "product_quality", "design_rationality", "service_attitude", "response_timeliness", "problem_resolution",
    )  # fmt: skip
    assert [d.name.zh for d in survey.dimensions] == [
        "产品质量",
        "设计合理性",
        "服务态度",
        "响应及时性",
        "问题解决效果",
    ]
    assert (survey.scale_min, survey.scale_max, survey.satisfied_min_rating) == (1, 5, 4)
    assert scheme.pass_threshold == Fraction(4, 5) and survey.threshold.inclusive


def test_satisfaction_is_the_share_of_fours_and_fives_and_80_percent_passes(scheme):
    survey = scheme.survey
    exactly_80 = survey.satisfaction([5, 4, 4, 5, 3, None, 5, 4, 4, 2, 5])  # 8 of 10 answered, one skipped
    assert exactly_80 == Fraction(4, 5)
    assert survey.passes(exactly_80)
    assert not survey.passes(Fraction(79, 100))
    assert survey.satisfaction([None, None]) is None and not survey.passes(None)
    with pytest.raises(ValueError):
        survey.satisfaction([6])


@pytest.mark.parametrize(("population", "sample"), [(0, 0), (12, 12), (30, 30), (50, 45), (1000, 278), (10**6, 385)])
def test_sample_size(scheme, population, sample):
    assert scheme.survey.sample_size.for_population(population) == sample


def test_deadlines(scheme):
    expected = {
        "acceptance": (5, "working_days", "6 申请受理 2"),
        "audit_notice": (7, "working_days", "6 现场审核 1"),
        "certificate_validity": (3, "years", "6 认证决定 2"),
        "suspension_max": (6, "months", None),
        "correction_major": (30, "calendar_days", None),
        "correction_minor": (60, "calendar_days", None),
    }
    for name, (amount, unit, source) in expected.items():
        deadline = scheme.deadline(name)
        assert (deadline.amount, deadline.unit) == (amount, unit)
        assert deadline.source == source or (source is None and deadline.source.startswith("default"))
    assert scheme.deadline("special_audit_notice").source.startswith("default")
    assert scheme.surveillance.per_validity_year == 1


def test_transition_deadline_day_is_still_in_time(scheme):
    transition = scheme.transition
    assert transition.deadline == date(2026, 10, 15)
    assert transition.in_time(date(2026, 10, 15)) and not transition.in_time(date(2026, 10, 16))
    assert transition.lapses_on == date(2026, 10, 16)
    assert transition.covers_application(date(2025, 10, 15)) and not transition.covers_application(date(2025, 10, 16))


def test_default_grades(scheme):
    grading = scheme.grading
    assert grading.is_default and "GB/T 27922-2011" in grading.source
    assert [(g.code, g.min_score) for g in grading.grades] == [
        ("compliant", 70), ("three_star", 80), ("four_star", 90), ("five_star", 95),
    ]  # fmt: skip
    assert scheme.grade_for(69) is None
    assert scheme.grade_for(70).name.zh == "达标"
    assert scheme.grade_for(Fraction(179, 2)).code == "three_star"
    assert scheme.grade_for(95).code == "five_star" and scheme.grade_for(100).code == "five_star"
    with pytest.raises(ValueError):
        scheme.grade_for(101)


def test_score_from_findings(scheme):
    findings = dict.fromkeys(EXPECTED_IDS, "conforming")
    assert scheme.score(findings) == 100
    findings["4.3-1"] = "major"  # weight 4
    findings["4.9-2"] = "minor"  # weight 3, half earned
    assert scheme.score(findings) == Fraction(189, 2)
    with pytest.raises(ValueError):
        scheme.score({"4.1-1": "conforming"})


def test_committee(scheme):
    committee = scheme.committee
    assert committee.quorum == 3 and committee.exclude_involved_persons
    assert committee.approves(2, 3) and not committee.approves(2, 4) and not committee.approves(2, 2)


def test_the_loaded_scheme_is_immutable(scheme):
    with pytest.raises(dataclasses.FrozenInstanceError):
        scheme.version = "B/0"
    content = scheme.content
    content["scheme"]["version"] = "B/0"
    assert scheme.content["scheme"]["version"] == "A/0"

"""The decision stage on its own, from a start state built by the services (e2e/shortcuts_decision.py).

- a survey below the scheme's 80 %: nobody on the committee may vote to grant, the decision is a
  refusal, and the enterprise reads the refusal notice (PDF) with the reason;
- the whole decision stage (decision, certificate, verification, surveillance) after the shortcut, so
  that it is exercised without the earlier stages.
"""

import itertools
import re

from playwright.sync_api import expect

from certflow.accounts.uscc import check_character
from e2e.journey import Case, decision
from e2e.shortcuts_decision import ready_for_decision

_serial = itertools.count(1)


def _case(name: str, area: str) -> Case:
    """A new enterprise of this run (the world is shared and only moves forward)."""
    n = next(_serial)
    body = f"91310115MA1K{area}{n:03d}"[:17]
    tag = f"{area.lower()}{n}"
    return Case(
        enterprise_name=name,
        uscc=body + check_character(body),
        owner_email=f"owner-{tag}@decision.example",
        owner_password="Decide-2025-e2e!",
    )


def test_survey_below_80_percent_is_refused_with_a_notice(world):
    case = _case("上海浦江低分定制家居有限公司", "RF")
    ready_for_decision(world, case, survey_share=0.55)

    page = decision.open_decision(world, case)
    decision.read_dossier(world, case, page)
    grant_problems = page.locator(".banner.warning", has_text="不能颁证的原因")
    expect(grant_problems).to_contain_text("满意")
    decision.seat_committee(world, case, page)

    # A member who tries to grant is told why not, and nothing is recorded.
    member = world.people(decision.COMMITTEE[0])
    page = member.open(f"/decisions/{case.decision_id}/")
    form = page.locator("#opinion")
    form.get_by_label("同意颁证", exact=True).check()
    form.get_by_label("本人声明").check()
    form.get_by_role("button", name="提交意见").click()
    expect(page.locator(".form-errors, .messages .error, [role=alert]").first).to_contain_text("满意")
    expect(page.locator("#committee .tally")).to_contain_text("已表决 0 名")
    world.steps.shot(page, "grant-vote-refused")

    reasons = (
        "用户满意度未达到 80%，交付延期和售后响应慢的投诉集中，须整改后重新申请。",
        "满意度不达标。",
        "同意不予认证，建议企业完善售后服务体系后再申请。",
    )
    for address, reasoning in zip(decision.COMMITTEE, reasons, strict=True):
        decision.vote(world, case, address, "不同意颁证", reasoning)
    page = decision.conclude(world, case, "不予认证")
    expect(page.locator("ol.reasons")).to_contain_text("满意度")

    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open("/decisions/")
    page.locator("tr", has_text=case.enterprise_name).get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/decisions/{case.decision_id}/$"))
    expect(page.locator("section.outcome")).to_contain_text("不予认证")
    expect(page.locator("ol.reasons")).to_contain_text("用户满意度未达到 80%")
    expect(page.get_by_role("button", name="重新申请认证")).to_be_visible()
    world.steps.shot(page, "enterprise-refusal")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载不予认证通知书（PDF）").click()
    path = world.steps.folder / "refusal-notice.pdf"
    info.value.save_as(path)
    data = path.read_bytes()
    reference = page.locator("h1 .code").inner_text().strip()
    assert data.startswith(b"%PDF-")
    assert "不予认证通知书" in info.value.suggested_filename
    assert decision.pdf_title(data) == f"不予认证通知书 {reference}"

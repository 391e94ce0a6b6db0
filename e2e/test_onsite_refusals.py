"""The on-site stage and the survey on their own, and what they refuse (clause 6 现场审核 1, 用户满意度调查 2).

Each scenario starts from a passed document review built through the services (e2e/shortcuts_onsite.py);
everything after that is done on the pages.
"""

import re

from playwright.sync_api import expect

from certflow.accounts.uscc import check_character
from e2e.journey import Case, onsite
from e2e.shortcuts_onsite import reviewed_application


def _case(body17: str, name: str, owner: str) -> Case:
    return Case(
        enterprise_name=name,
        uscc=body17 + check_character(body17),
        owner_email=owner,
        owner_password="Dingzhi-2025-e2e",
    )


def test_late_notice_is_refused_and_nothing_is_sent(world):
    case = _case("91320583MA7TQ8N36", "昆山巧木定制家具有限公司", "owner@qiaomu.example")
    reviewed_application(world, case)
    onsite.open_audit(world, case)
    today = world.clock.today()

    # Days only 5 working days away: the page says at once that the notice can no longer be in time.
    near, latest = onsite.notice_plan(world, 5)
    assert latest < today
    page = onsite.propose_days(world, case, near, latest, "企业希望尽快安排审核。")
    expect(page.locator("#notice-date")).to_contain_text("最迟通知日已过")
    onsite.enterprise_confirms_days(world, case)
    page = onsite.set_team(world, case)
    notice = page.locator("#notice")
    expect(notice.get_by_role("button", name="生成并发出审核通知")).to_be_disabled()
    expect(page.locator("#notice-date")).to_contain_text("按此日期已不能按期发出审核通知")
    world.steps.shot(page, "too-near-notice-disabled")

    # Days exactly 7 working days away: today is the last day. The manager leaves the page open over
    # night and sends tomorrow: the server refuses with the rule and the dates.
    edge, latest = onsite.notice_plan(world, onsite.NOTICE_WORKING_DAYS)
    assert latest == today
    page = onsite.propose_days(world, case, edge, latest, "改为以下日期，请确认。")
    onsite.enterprise_confirms_days(world, case)
    page = world.people(onsite.MANAGER).open(f"/audits/{case.onsite_audit_id}/plan/")
    expect(page.locator("#notice-date")).to_contain_text("今天是最后可以发出审核通知的一天")
    send = page.locator("#notice").get_by_role("button", name="生成并发出审核通知")
    expect(send).to_be_enabled()
    world.steps.shot(page, "last-notice-day")
    world.clock.advance(days=1)
    send.click()
    error = page.locator(".form-errors")
    expect(error).to_contain_text("现场审核通知须至少提前 7 个工作日发出")
    expect(error).to_contain_text(f"最迟须于 {today.isoformat()} 发出通知")
    expect(error).to_contain_text("已晚")
    world.steps.shot(page, "late-notice-refused")

    # Nothing went out: no notice on the audit, none in the enterprise's notifications or mail.
    page = world.people(onsite.MANAGER).open(f"/audits/{case.onsite_audit_id}/")
    expect(page.locator("h1 .status")).to_have_text("日期已确认")
    expect(page.get_by_role("link", name="下载审核通知（PDF）")).to_have_count(0)
    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open("/notifications/")
    expect(page.locator("article.card", has_text="现场审核通知")).to_have_count(0)
    world.steps.shot(page, "enterprise-has-no-notice")
    assert world.server.mail_to(case.owner_email, "现场审核通知", timeout=0) == []


def test_survey_below_80_percent_fails(world):
    case = _case("91330106MA2CW5R47", "杭州西子定制服饰有限公司", "owner@xizi.example")
    reviewed_application(world, case)
    # 6 satisfied on the web and 1 by phone out of 11: 63.6 % of the ratings are 4 or 5.
    onsite.survey(world, case, satisfied=6, unsatisfied=4, by_phone=1)
    assert not case.notes["survey_passed"]
    page = world.people(onsite.CLERK).open(f"/surveys/{case.survey_id}/results/")
    expect(page.locator(".verdict-failed")).to_have_text("未达标")
    expect(page.locator("main")).to_contain_text("80")
    world.steps.shot(page, "survey-result-failed")

    # The enterprise is told and asked for its cause analysis and improvement (6 用户满意度调查 2).
    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open(f"/surveys/{case.survey_id}/")
    expect(page.locator("h1 .status")).to_have_text(re.compile("改进"))
    expect(page.locator("main")).to_contain_text("满意度低于 80 %")
    world.steps.shot(page, "enterprise-asked-for-improvement")

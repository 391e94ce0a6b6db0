"""On-site audit and satisfaction survey, through the pages (clause 6 现场审核, 用户满意度调查).

Starts where document review passed (``case.application_id`` set, the application
``document_review_passed``) and leaves the audit passed and the survey closed, the state the
certification decision starts from.

People: the programme manager 赵丽 plans, the lead auditor 陈刚 and the auditor 王强 audit, the
acceptance clerk 李静 runs the survey; the enterprise owner answers on its own pages; each customer
answers in a browser of their own, signed in as nobody.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.journey import Case, World
from e2e.support import links_in

MANAGER = "manager@olis-cert.example"
LEAD = "lead@olis-cert.example"
AUDITOR = "auditor@olis-cert.example"
CLERK = "clerk@olis-cert.example"
LEAD_NAME = "审核组长 陈刚"
AUDITOR_NAME = "审核员 王强"
# Clause 6 现场审核 1: the notice goes out at least 7 working days before the first audit day.
NOTICE_WORKING_DAYS = 7
MINOR_ITEM_NOTE = "抽查 5 名新入职员工的培训档案，其中 2 名无岗前培训考核记录。"
SURVEY_CATEGORY = "定制家具"  # a category of the scheme's scope; the import refuses others


def _owner(world: World, case: Case):
    return world.people(case.owner_email, case.owner_password)


def notice_plan(world: World, first_after: int, days: int = 1) -> tuple[list[date], date]:
    """Audit days starting ``first_after`` PRC working days after the server's today, and the last day the
    notice may go out for them (clause 6 现场审核 1), from the server's own calendar in one command."""
    code = (
        "from django.utils import timezone\n"
        "from certflow.core.workdays.services import add_working_days, subtract_working_days\n"
        "today = timezone.localdate(timezone=timezone.get_default_timezone())\n"
        f"days = [add_working_days(today, {first_after} + i) for i in range({days})]\n"
        f"print('PLAN', *days, subtract_working_days(days[0], {NOTICE_WORKING_DAYS}))\n"
    )
    out = world.server.certflow("shell", "-c", code).stdout
    found = [date.fromisoformat(d) for d in next(x for x in out.splitlines() if x.startswith("PLAN")).split()[1:]]
    return found[:-1], found[-1]


# --- planning and notice -------------------------------------------------------------------------------


def open_audit(world: World, case: Case) -> Page:
    """The programme manager opens the on-site audit from the application page."""
    manager = world.people(MANAGER)
    page = manager.open(f"/applications/{case.application_id}/")
    page.get_by_role("link", name="安排现场审核").click()
    page.wait_for_url("**/audits/new/**")
    world.steps.shot(page, "manager-create-audit")
    page.get_by_role("button", name="创建现场审核").click()
    page.wait_for_url(re.compile(r"/audits/\d+/plan/$"))
    case.onsite_audit_id = int(re.search(r"/audits/(\d+)/plan/", page.url).group(1))
    expect(page.locator(".messages")).to_contain_text("已创建现场审核")
    world.steps.shot(page, "audit-created")
    return page


def propose_days(world: World, case: Case, days: list[date], latest: date, message: str) -> Page:
    """The manager proposes audit days; the page shows the last allowed notice day (``latest``, from the
    server's calendar) as the days are typed."""
    page = world.people(MANAGER).open(f"/audits/{case.onsite_audit_id}/plan/")
    for n, day in enumerate(days, start=1):
        page.get_by_label(f"第 {n} 个审核日").fill(day.isoformat())
    page.get_by_label("说明").first.fill(message)
    # The htmx preview answers the typed first day with the last allowed notice day (PRC working days).
    expect(page.locator("#notice-date")).to_contain_text(latest.isoformat())
    world.steps.shot(page, "days-typed-notice-preview")
    page.get_by_role("button", name=re.compile("提出审核日期")).click()
    page.wait_for_url(re.compile(r"/plan/$"))
    expect(page.locator(".messages")).to_contain_text("已向企业提出审核日期")
    world.steps.shot(page, "days-proposed")
    case.notes["audit_days"] = days
    case.notes["notice_latest"] = latest
    return page


def enterprise_confirms_days(world: World, case: Case) -> None:
    """The owner finds the request among the notifications and confirms the proposed days."""
    owner = _owner(world, case)
    page = owner.open("/notifications/")
    card = page.locator("article.card", has_text="请确认现场审核日期").first
    expect(card).to_be_visible()
    world.steps.shot(page, "enterprise-notification-dates")
    card.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(rf"/audits/{case.onsite_audit_id}/"))
    if "/dates/" not in page.url:
        page.get_by_role("link", name="确认审核日期").click()
        page.wait_for_url(re.compile(r"/dates/$"))
    for day in case.notes["audit_days"]:
        expect(page.locator("main")).to_contain_text(day.isoformat())
    world.steps.shot(page, "enterprise-dates-page")
    page.get_by_role("button", name="确认以上日期").click()
    page.wait_for_url(re.compile(rf"/audits/{case.onsite_audit_id}/$"))
    expect(page.locator(".messages")).to_contain_text("已确认审核日期")
    expect(page.locator("h1 .status")).to_have_text("日期已确认")
    world.steps.shot(page, "enterprise-dates-confirmed")


def set_team(world: World, case: Case) -> Page:
    """The manager forms the team: a team without a lead is refused (team checks), then 陈刚 leads 王强."""
    page = world.people(MANAGER).open(f"/audits/{case.onsite_audit_id}/plan/")
    team = page.locator("#team")
    expect(team).to_contain_text(LEAD_NAME)
    team.get_by_label(LEAD_NAME, exact=True).check()
    team.get_by_label(AUDITOR_NAME, exact=True).check()
    team.get_by_role("button", name="保存审核组").click()
    expect(page.locator(".form-errors")).to_contain_text("审核组必须指定一名审核组长")
    world.steps.shot(page, "team-without-lead-refused")
    team = page.locator("#team")
    # 王强 holds the auditor level only: the page does not offer him as lead.
    expect(team.get_by_label(f"组长 {AUDITOR_NAME}")).to_be_disabled()
    team.get_by_label(f"组长 {LEAD_NAME}").check()
    team.get_by_role("button", name="保存审核组").click()
    expect(page.locator(".messages")).to_contain_text("审核组已保存")
    world.steps.shot(page, "team-saved")
    return page


def plan_schedule(world: World, case: Case, page: Page) -> None:
    """A design studio as a second site and the opening and closing meetings on the schedule."""
    first, last = case.notes["audit_days"][0], case.notes["audit_days"][-1]
    sites = page.locator("#sites")
    sites.get_by_label("场所类型").select_option(label="设计场所")
    sites.get_by_label("名称").fill("设计中心")
    sites.get_by_label("地址").fill("同注册地址二楼")
    sites.get_by_role("button", name="添加场所").click()
    expect(page.locator(".messages")).to_contain_text("已添加审核场所")
    for day, start, end, activity in (
        (first, "09:00", "09:30", "首次会议"),
        (last, "14:00", "15:00", "末次会议"),
    ):
        slot = page.locator("#schedule")
        slot.get_by_label("日期").select_option(day.isoformat())
        slot.get_by_label("开始").fill(start)
        slot.get_by_label("结束").fill(end)
        slot.get_by_label("审核活动").fill(activity)
        slot.get_by_role("button", name="添加日程").click()
        expect(page.locator(".messages")).to_contain_text("已添加日程")
    world.steps.shot(page, "plan-complete")


def send_notice(world: World, case: Case) -> None:
    manager = world.people(MANAGER)
    page = manager.open(f"/audits/{case.onsite_audit_id}/plan/")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("审核计划已齐备")
    expect(page.locator("#notice-date")).to_contain_text(case.notes["notice_latest"].isoformat())
    assert world.clock.today() <= case.notes["notice_latest"]
    notice.get_by_role("button", name="生成并发出审核通知").click()
    page.wait_for_url(re.compile(rf"/audits/{case.onsite_audit_id}/$"))
    expect(page.locator(".messages")).to_contain_text("审核通知已发出")
    expect(page.locator("h1 .status")).to_have_text("已发审核通知")
    world.steps.shot(page, "notice-sent")
    case.notes["notice_sent_on"] = world.clock.today()


def enterprise_sees_notice(world: World, case: Case) -> None:
    owner = _owner(world, case)
    page = owner.open("/notifications/")
    card = page.locator("article.card", has_text="现场审核通知").first
    expect(card).to_be_visible()
    card.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(rf"/audits/{case.onsite_audit_id}/"))
    expect(page.locator("main")).to_contain_text(world.clock.today().isoformat())  # 通知日期
    link = page.get_by_role("link", name="下载审核通知（PDF）")
    expect(link).to_be_visible()
    world.steps.shot(page, "enterprise-sees-notice")
    response = page.request.get(world.server.url(link.get_attribute("href")))
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    mails = world.server.mail_to(case.owner_email, "现场审核通知")
    assert mails, "the notice was not mailed to the enterprise"


def plan_and_notify(world: World, case: Case) -> None:
    """Create the audit, agree the days with the enterprise, set the team, send the notice in time."""
    assert case.application_id, "the on-site stage starts from an application whose document review passed"
    open_audit(world, case)
    # The 9th and 10th working days: a notice sent today is in time with a working day to spare.
    days, latest = notice_plan(world, NOTICE_WORKING_DAYS + 2, days=2)
    propose_days(world, case, days, latest, "拟安排两天现场审核，请确认。")
    enterprise_confirms_days(world, case)
    page = set_team(world, case)
    plan_schedule(world, case, page)
    send_notice(world, case)
    enterprise_sees_notice(world, case)


# --- conduct and closing ---------------------------------------------------------------------------------


def _record_checklist(world: World, case: Case, page: Page, minor_item: str) -> None:
    """Every item conform but ``minor_item``, recorded the way a phone saves it: each item on its own."""
    items = page.locator("article.finding-item")
    count = items.count()
    assert count > 10, f"the on-site checklist has {count} items"
    for index in range(count):
        item = items.nth(index)
        item_id = item.locator(".item-id").inner_text().strip()
        if item_id == minor_item:
            item.locator("textarea[name$='-note']").fill(MINOR_ITEM_NOTE)
            item.locator("label.choice-minor").click()
        else:
            item.locator("label.choice-conform").click()
    # Each item is its own request (two at most at a time per browser); wait for all to be stored.
    expect(page.locator("#answered-count")).to_have_text(str(count), timeout=60_000)
    expect(page.locator("#sync-state")).to_have_text("已全部同步")
    expect(page.locator(".finding-item [data-state].saved")).to_have_count(count)


def conduct_and_close(world: World, case: Case) -> None:
    """On the first audit day the lead starts the audit, the team records the checklist with one minor
    nonconformity, the enterprise confirms it, the closing meeting is held on the last day, the enterprise
    corrects, and the lead's verification passes the audit."""
    first, last = case.notes["audit_days"][0], case.notes["audit_days"][-1]
    world.clock.go_to_day(first, hour=9)
    lead = world.people(LEAD)
    page = lead.open(f"/audits/{case.onsite_audit_id}/checklist/")
    expect(page.locator("h1 .status")).to_have_text("已发审核通知")
    page.get_by_role("button", name="开始现场审核").click()
    expect(page.locator(".messages")).to_contain_text("现场审核已开始")
    world.steps.shot(page, "audit-started")

    # The auditor records the checklist on the day; the lead reads the score as it grows.
    auditor = world.people(AUDITOR)
    page = auditor.open(f"/audits/{case.onsite_audit_id}/checklist/")
    minor_item = page.locator("article.finding-item .item-id").nth(3).inner_text().strip()
    _record_checklist(world, case, page, minor_item)
    world.steps.shot(page, "checklist-recorded")
    page.reload()
    slug = "item-" + minor_item.replace(".", "_")
    page.locator(f"#{slug}").get_by_role("button", name="开具不符合项").click()
    expect(page.locator(".messages")).to_contain_text("已开具不符合项")
    expect(page.locator(f"#{slug} .nc-line")).to_contain_text("待企业确认")
    nc_number = page.locator(f"#{slug} .nc-line a.code").inner_text().strip()
    case.notes["onsite_nc"] = nc_number
    score = page.locator("#onsite-score").inner_text()
    world.steps.shot(page, "nonconformity-raised")

    # Second day: the enterprise confirms the nonconformity in its own account.
    world.clock.go_to_day(last, hour=10)
    owner = _owner(world, case)
    page = owner.open(f"/audits/{case.onsite_audit_id}/closing/")
    card = page.locator("article.nc-card", has_text=nc_number)
    expect(card).to_contain_text(MINOR_ITEM_NOTE)
    card.get_by_label("职务").fill("总经理")
    card.get_by_label("企业意见").fill("确认，将按期整改。")
    card.get_by_role("button", name="确认该不符合项").click()
    expect(page.locator(".messages")).to_contain_text(f"不符合项 {nc_number} 已确认")
    world.steps.shot(page, "enterprise-confirms-nonconformity")

    # The closing meeting on the last day, with the enterprise's representative among the attendees.
    world.clock.go_to_day(last, hour=15)
    page = lead.open(f"/audits/{case.onsite_audit_id}/closing/")
    closing = page.locator("#closing")
    expect(closing.locator("input[name=name_0]")).to_have_value("审核组长 陈刚")
    expect(closing.locator("input[name=name_2]")).not_to_have_value("")  # the confirming representative
    closing.get_by_label("会议时间").fill(f"{last.isoformat()}T15:00")
    closing.get_by_label("审核结论").fill(
        f"企业定制服务管理体系基本符合认证规范要求，现场得分 {score}，发现一般不符合 1 项，须按期整改。"
    )
    closing.get_by_label("审核组推荐意见").fill("一般不符合项验证关闭后，推荐认证。")
    world.steps.shot(page, "closing-meeting-form")
    closing.get_by_role("button", name="记录末次会议").click()
    expect(page.locator(".messages")).to_contain_text("末次会议已记录")
    expect(page.locator("h1 .status")).to_have_text("整改验证中")
    world.steps.shot(page, "closing-meeting-held")
    report = page.request.get(world.server.url(f"/audits/{case.onsite_audit_id}/report.pdf"))
    assert report.status == 200 and report.body().startswith(b"%PDF")

    correct_and_verify(world, case, nc_number)


def _evidence_pdf(folder: Path) -> Path:
    from reportlab.pdfgen import canvas

    path = folder / "培训考核记录.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, "Training assessment records, Q3-Q4 (e2e evidence)")
    pdf.save()
    return path


def correct_and_verify(world: World, case: Case, nc_number: str) -> None:
    """The enterprise reports its correction with evidence a week later; the lead verifies it, which
    closes the nonconformity and passes the on-site audit."""
    world.clock.advance(days=7)
    owner = _owner(world, case)
    page = owner.open(f"/audits/{case.onsite_audit_id}/closing/")
    page.locator("article.nc-card", has_text=nc_number).get_by_role("link", name=nc_number).click()
    page.wait_for_url(re.compile(r"/reviews/nonconformities/\d+/$"))
    case.notes["onsite_nc_url"] = page.url.removeprefix(world.server.base_url)
    answer = page.locator("#answer")
    answer.get_by_label("原因分析").fill("人事专员交接时遗漏新员工岗前培训考核环节。")
    answer.get_by_label("纠正", exact=True).fill("已为 2 名员工补做岗前培训并考核合格，记录归档。")
    answer.get_by_label("纠正措施").fill("入职流程增加培训考核签字确认，质量部每月抽查培训档案。")
    answer.get_by_label("证据文件").set_input_files(str(_evidence_pdf(world.steps.folder)))
    world.steps.shot(page, "corrective-action-form")
    answer.get_by_role("button", name="提交整改报告").click()
    expect(page.locator(".messages")).to_contain_text("整改报告已提交")
    world.steps.shot(page, "corrective-action-submitted")

    world.clock.advance(days=2)
    lead = world.people(LEAD)
    page = lead.open(case.notes["onsite_nc_url"])
    decide = page.locator("#decide")
    expect(decide).to_be_visible()
    decide.get_by_label("审核员意见").fill("补充的培训考核记录完整，整改有效。")
    decide.get_by_role("button", name="验证通过").click()
    expect(page.locator(".messages")).to_contain_text("整改已验证通过")
    world.steps.shot(page, "nonconformity-verified")

    page = lead.open(f"/audits/{case.onsite_audit_id}/closing/")
    expect(page.locator("h1 .status")).to_have_text("已通过")
    expect(page.locator("#meeting")).to_contain_text("现场审核通过")
    world.steps.shot(page, "audit-passed")


# --- satisfaction survey -----------------------------------------------------------------------------


def _customers(case: Case, today: date, count: int, with_email: int) -> list[list[str]]:
    """Fictional customers; the first ``with_email`` have an e-mail address for the questionnaire link."""
    tag = case.uscc[-6:].lower()
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    rows = []
    for i in range(count):
        ordered = today - timedelta(days=90 + 3 * i)
        rows.append(
            [
                surnames[i % len(surnames)] + "先生" if i % 2 else surnames[i % len(surnames)] + "女士",
                f"139{int(tag, 36) % 10_000:04d}{i:04d}",
                f"c{i:02d}-{tag}@customers.example" if i < with_email else "",
                SURVEY_CATEGORY,
                f"DZ-{tag}-{i:04d}",
                ordered.isoformat(),
                (ordered + timedelta(days=20)).isoformat(),
            ]
        )
    return rows


def _customer_csv(folder: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["姓名", "电话", "邮箱", "商品类别", "订单号", "下单日期", "交付日期"])
    writer.writerows(rows)
    path = folder / "用户名单.csv"
    path.write_bytes(out.getvalue().encode("gbk"))  # as Excel in China saves it
    return path


def _rate(form, value: int) -> None:
    """Every dimension and the overall rating at ``value`` (the radio sits inside its styled label)."""
    for fieldset in form.locator("fieldset.rating").all():
        option = fieldset.locator("label.rating-option", has=fieldset.page.locator(f"input[value='{value}']"))
        if option.count():
            option.click()


def survey(world: World, case: Case, *, satisfied: int, unsatisfied: int, by_phone: int = 1) -> None:
    """The clerk opens the survey, the enterprise uploads its customer list, the clerk draws the sample
    (the whole list: it is shorter than the scheme's floor of 30), e-mails the one-time links, customers
    answer through them, the clerk records the call-backs of those without e-mail, then closes it."""
    web = satisfied + unsatisfied
    rows = _customers(case, world.clock.today(), web + by_phone, with_email=web)
    clerk = world.people(CLERK)
    page = clerk.open(f"/applications/{case.application_id}/")
    page.get_by_role("link", name="满意度调查 →").click()
    page.wait_for_url(re.compile(r"/surveys/(new/\d+|\d+)/$"))
    if "/new/" in page.url:
        world.steps.shot(page, "clerk-survey-create")
        page.get_by_role("button", name="开启调查").click()
        page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    case.survey_id = int(re.search(r"/surveys/(\d+)/", page.url).group(1))
    world.steps.shot(page, "survey-opened-collecting")

    owner = _owner(world, case)
    page = owner.open(f"/surveys/{case.survey_id}/")
    page.get_by_label("用户名单（CSV 或 Excel .xlsx）").set_input_files(str(_customer_csv(world.steps.folder, rows)))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r"/surveys/imports/\d+/"))
    # The import runs after the upload; the report page refreshes itself until it is done.
    expect(page.locator("#import-progress .status")).to_have_text("已导入", timeout=30_000)
    world.steps.shot(page, "customer-list-imported")

    page = clerk.open(f"/surveys/{case.survey_id}/")
    expect(page.locator(".facts")).to_contain_text(str(len(rows)))
    page.get_by_role("button", name="抽取样本").click()
    expect(page.locator(".messages")).to_contain_text("已抽取样本")
    world.steps.shot(page, "sample-drawn")
    expect(page.get_by_label("调查截止日期")).not_to_have_value("")  # the suggested day, three weeks on
    page.get_by_role("button", name="开始调查").click()
    expect(page.locator(".messages")).to_contain_text("调查已开始")
    page.get_by_label("电子邮件").check()
    page.get_by_role("button", name="发送邀请").click()
    expect(page.locator(".messages")).to_contain_text(f"成功 {web}，失败 0，无联系方式跳过 {by_phone}")
    world.steps.shot(page, "invitations-sent")

    # Each customer opens the link from their mail in a browser of their own, signed in as nobody.
    browser = clerk.context.browser
    for i, row in enumerate(rows[:web]):
        bodies = world.server.mail_to(row[2])
        assert bodies, f"no questionnaire mail to {row[2]}"
        link = next(u for u in links_in(bodies[-1], world.server.base_url) if "/s/" in u)
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        try:
            customer = context.new_page()
            customer.goto(link)
            expect(customer.locator("h1")).to_have_text("定制服务满意度调查")
            form = customer.locator("form.survey-form")
            _rate(form, 5 if i < satisfied else 2)
            if i >= satisfied:
                form.get_by_label("意见和建议（选填）").fill("交货延迟，客服回复慢。")
            if i in (0, satisfied):
                world.steps.shot(customer, f"customer-questionnaire-{'satisfied' if i == 0 else 'unsatisfied'}")
            form.get_by_role("button", name="提交").click()
            expect(customer.locator("h1")).to_have_text("感谢您的参与！")
            if i == 0:
                world.steps.shot(customer, "customer-thanks")
                customer.goto(link)  # the link counts once
                expect(customer.locator("main")).to_contain_text("每个链接只能提交一次")
                world.steps.shot(customer, "customer-link-used")
        finally:
            context.close()

    # The customers without e-mail are called back; their answers are recorded on the staff page.
    for row in rows[web:]:
        page = clerk.open(f"/surveys/{case.survey_id}/calls/")
        line = page.locator("tr", has_text=row[0]).filter(has_text=row[1])
        line.get_by_role("link", name="记录回访").click()
        page.wait_for_url(re.compile(r"/surveys/invitations/\d+/call/"))
        form = page.locator("form.survey-form")
        form.get_by_label("已接通并完成回访").check()
        form.get_by_label("备注").fill("客户同意回访，约两分钟。")
        _rate(form, 4)
        world.steps.shot(page, "phone-callback-form")
        form.get_by_role("button", name="保存通话记录").click()
        expect(page.locator(".messages")).to_contain_text("通话记录已保存")

    page = clerk.open(f"/surveys/{case.survey_id}/")
    expect(page.locator(".stats")).to_contain_text(str(by_phone))
    world.steps.shot(page, "survey-progress")
    page.get_by_role("button", name="结束调查并冻结结果").click()
    expect(page.locator(".messages")).to_contain_text("调查已结束")
    world.steps.shot(page, "survey-closed")
    page.get_by_role("link", name="调查结果").click()
    page.wait_for_url(re.compile(r"/results/$"))
    world.steps.shot(page, "survey-results")
    case.notes["survey_passed"] = (satisfied + by_phone) * 100 >= 80 * (web + by_phone)


def walk(world: World, case: Case) -> None:
    """The on-site stage and a passing survey (9 of 10 satisfied), from a passed document review."""
    plan_and_notify(world, case)
    conduct_and_close(world, case)
    survey(world, case, satisfied=8, unsatisfied=1, by_phone=1)
    page = world.people(CLERK).open(f"/surveys/{case.survey_id}/results/")
    expect(page.locator(".verdict-passed")).to_have_text("达标")

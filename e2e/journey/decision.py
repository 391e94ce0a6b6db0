"""The decision stage through the pages (clause 6 认证决定, 证书, 持续监督).

Starts where the on-site stage leaves a case: document review and on-site audit passed, the satisfaction
survey closed. The programme manager submits the application for decision and seats three committee
members who took no part in the review or the audit; each signs in as himself, declares his
impartiality and votes; the manager concludes and the certificate is issued. The enterprise downloads
it, anyone verifies it on /verify/ (also at phone width), and in the first surveillance window a
surveillance audit finds a major nonconformity, which suspends the certificate at once.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from e2e.journey import Case, World

MANAGER = "manager@olis-cert.example"
LEAD = "lead@olis-cert.example"
# The technical committee of the people-only world (certflow/decisions/demo_committee.py); none of
# them reviews documents or audits, so none is excluded by the scheme's impartiality rule.
COMMITTEE = ("committee@olis-cert.example", "committee2@olis-cert.example", "committee3@olis-cert.example")
COMMITTEE_NAMES = dict(zip(COMMITTEE, ("技术委员 刘洋", "技术委员 孙悦", "技术委员 郑凯"), strict=True))
VISITOR = "anonymous visitor"  # never signs in: Person only signs in when a page asks for it
PHONE = {"width": 375, "height": 812}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Posts that render and store a PDF (the certificate, the audit notice, the audit report) or sign one
# take seconds on a busy CI machine; wait for their result longer than expect's default 5 s.
PDF_POST = 30_000


def _flash(page: Page, text: str) -> None:
    expect(page.locator("body")).to_contain_text(text)


# --- 1. the committee's decision ------------------------------------------------------------------


def open_decision(world: World, case: Case) -> Page:
    """The programme manager submits the case's application for decision from the queue."""
    manager = world.people(MANAGER)
    page = manager.open("/decisions/")
    row = page.locator("tr", has_text=case.enterprise_name).filter(has=page.get_by_role("button", name="提交认证决定"))
    expect(row).to_have_count(1)
    world.steps.shot(page, "decision-queue-ready")
    row.get_by_role("button", name="提交认证决定").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    _flash(page, "已提交认证决定")
    case.decision_id = int(re.search(r"/decisions/(\d+)/$", page.url).group(1))
    return page


def read_dossier(world: World, case: Case, page: Page) -> None:
    """What the committee decides on: both audits passed, the survey result, the conditions to grant."""
    card = page.locator("section.card", has=page.get_by_role("heading", name="文件审核", exact=True))
    expect(card.locator(".check.ok")).to_be_visible()
    card = page.locator("section.card", has=page.get_by_role("heading", name="现场审核", exact=True))
    expect(card.locator("tbody tr .check.ok")).to_have_count(1)
    card = page.locator("section.card", has=page.get_by_role("heading", name="用户满意度调查"))
    expect(card).to_contain_text("满意率")
    case.notes["dossier_survey"] = card.locator("dl").inner_text()
    world.steps.shot(page, "decision-dossier")


def seat_committee(world: World, case: Case, page: Page) -> None:
    """Three members, none of whom reviewed the documents or audited the enterprise (the dossier names
    who did; the page also marks any candidate the scheme's impartiality rule excludes)."""
    involved = " ".join(
        page.locator("section.card", has=page.get_by_role("heading", name=heading, exact=True)).inner_text()
        for heading in ("文件审核", "现场审核")
    )
    for name in COMMITTEE_NAMES.values():
        assert name.split()[-1] not in involved, f"{name} took part in the review or the audit"
    committee = page.locator("#committee")
    for address in COMMITTEE:
        candidate = committee.locator("ul.candidates li", has_text=address)
        expect(candidate.locator(".check.bad")).to_have_count(0)  # nothing excludes him
        candidate.get_by_role("button", name="指定为委员").click()
        _flash(page, "已指定委员")
    # The review and audit staff hold no committee role, so they are not even offered.
    expect(committee.locator("ul.candidates li", has_text=LEAD)).to_have_count(0)
    expect(committee.locator("tbody tr")).to_have_count(3)
    expect(committee.locator(".tally")).to_contain_text("在任委员 3 名，已表决 0 名")
    world.steps.shot(page, "committee-seated")


def vote(world: World, case: Case, address: str, choice: str, reasoning: str) -> Page:
    """A member signs in as himself, declares impartiality with his first vote, and votes."""
    member = world.people(address)
    page = member.open(f"/decisions/{case.decision_id}/")
    form = page.locator("#opinion")
    form.get_by_label(choice, exact=True).check()
    form.get_by_label("意见说明").fill(reasoning)
    form.get_by_label("本人声明").check()
    form.get_by_role("button", name="提交意见").click()
    _flash(page, "您的意见已记录")
    mine = page.locator("#committee tbody tr", has_text=COMMITTEE_NAMES[address])
    expect(mine.locator(".status")).to_have_text(choice)
    expect(mine.locator("td").nth(1)).to_have_text(DAY)  # the impartiality declaration's date
    world.steps.shot(page, f"vote-{address.split('@')[0]}")
    return page


def conclude(world: World, case: Case, expected: str) -> Page:
    manager = world.people(MANAGER)
    page = manager.open(f"/decisions/{case.decision_id}/")
    expect(page.locator("#committee .tally")).to_contain_text(f"按现有表决，结论为：{expected}")
    page.locator("#conclude").get_by_role("button", name="作出认证决定").click()
    expect(page.locator("section.outcome")).to_contain_text(f"认证决定：{expected}", timeout=PDF_POST)
    world.steps.shot(page, f"decision-{expected}")
    return page


def decide_grant(world: World, case: Case) -> None:
    page = open_decision(world, case)
    read_dossier(world, case, page)
    expect(page.get_by_text("满足全部颁证条件，委员可投同意票。")).to_be_visible()
    seat_committee(world, case, page)
    for address, reasoning in zip(
        COMMITTEE,
        ("文件审核、现场审核均无不符合项，满意度达标，同意颁证。", "同意。", "同意颁证。"),
        strict=True,
    ):
        vote(world, case, address, "同意颁证", reasoning)
    page = conclude(world, case, "批准认证")
    _flash(page, "已颁发")
    number = page.locator("section.outcome dd a.code").inner_text().strip()
    assert number, "the granted decision shows no certificate number"
    case.certificate_number = number
    href = page.locator("section.outcome dd a.code").get_attribute("href")
    case.notes["certificate_id"] = int(re.search(r"/certificates/(\d+)/", href).group(1))


# --- 2. the enterprise's certificate --------------------------------------------------------------


def enterprise_downloads_certificate(world: World, case: Case) -> None:
    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open("/certificates/")
    expect(page.get_by_role("heading", name="我的证书")).to_be_visible()
    page.get_by_role("link", name=case.certificate_number).click()
    expect(page.get_by_role("heading", name=case.certificate_number)).to_be_visible()
    expect(page.locator(".status-panel")).to_contain_text("有效")
    world.steps.shot(page, "enterprise-certificate")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载证书 PDF").click()
    download = info.value
    path = world.steps.folder / f"certificate-{case.certificate_number}.pdf"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), "the certificate download is not a PDF"
    assert case.certificate_number in download.suggested_filename
    assert case.certificate_number in pdf_title(data), "the certificate PDF does not carry its number"
    case.notes["certificate_pdf"] = path


def pdf_title(data: bytes) -> str:
    """The document title of a PDF (reportlab writes it as a UTF-16 literal string with octal escapes);
    the page text itself sits in compressed streams with subset-font glyph codes."""
    match = re.search(rb"/Title \(((?:\\.|[^\\)])*)\)", data)
    if not match:
        return ""
    escaped = rb"\\([0-7]{1,3}|.)"
    raw = re.sub(escaped, lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1], match.group(1), flags=re.S)
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


# --- 3. public verification -----------------------------------------------------------------------


def _verify_by(world: World, page: Page, query: str, expected_status_text: str, case: Case, name: str) -> None:
    page.goto(world.server.url("/verify/"))
    page.get_by_role("searchbox").fill(query)
    page.get_by_role("button", name="查询").click()
    card = page.locator("a.cert-card", has_text=case.certificate_number)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(case.enterprise_name)
    expect(card.locator(".status")).to_have_text(expected_status_text)
    world.steps.shot(page, name)


def public_verify(world: World, case: Case, expected_status_text: str = "有效") -> None:
    """Anyone, signed in or not, finds the certificate by number and by name and sees its status."""
    visitor = world.people(VISITOR)
    page = visitor.page
    _verify_by(
        world, page, case.certificate_number, expected_status_text, case, f"verify-number-{expected_status_text}"
    )
    _verify_by(world, page, case.enterprise_name[:6], expected_status_text, case, f"verify-name-{expected_status_text}")
    page.locator("a.cert-card", has_text=case.certificate_number).click()
    page.wait_for_url(re.compile(r"/verify/c/"))
    expect(page.locator("body")).to_contain_text(case.certificate_number)
    expect(page.locator(".status").first).to_have_text(expected_status_text)
    world.steps.shot(page, f"verify-result-{expected_status_text}")

    phone = visitor.context.browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        small = phone.new_page()
        _verify_by(
            world, small, case.certificate_number, expected_status_text, case, f"verify-phone-{expected_status_text}"
        )
        small.locator("a.cert-card", has_text=case.certificate_number).click()
        small.wait_for_url(re.compile(r"/verify/c/"))
        expect(small.locator(".status").first).to_have_text(expected_status_text)
        world.steps.shot(small, f"verify-phone-result-{expected_status_text}")
        # Nothing wider than the phone: the page does not scroll sideways.
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the verify page is {width}px wide on a {PHONE['width']}px phone"
    finally:
        phone.close()


# --- 4. surveillance --------------------------------------------------------------------------------


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _propose_days(world: World, page: Page) -> list[date]:
    """Propose two audit days far enough ahead for the notice (≥ 7 working days); the page says
    whether a day is too close or not a working day, and we try the next one as a planner would."""
    section = page.locator("#dates")
    first = _working_day(world.clock.today() + timedelta(days=21))
    for _attempt in range(10):
        second = _working_day(first + timedelta(days=1))
        section.get_by_label("第 1 个审核日").fill(first.isoformat())
        section.get_by_label("第 2 个审核日").fill(second.isoformat())
        section.get_by_label("第 2 个审核日").dispatch_event("change")
        preview = section.locator("#notice-date")
        expect(preview).to_contain_text(first.isoformat())
        if preview.locator(".banner").count() == 0:
            section.get_by_label("说明").fill("第一次监督审核，请确认日期。")
            section.get_by_role("button", name=re.compile("提出审核日期")).click()
            proposed = page.locator("#dates .history", has_text=first.isoformat())
            refused = page.locator(".form-errors")
            expect(proposed.or_(refused).first).to_be_visible()
            if proposed.count():
                return [first, second]
            section = page.locator("#dates")
        first = _working_day(first + timedelta(days=1))
    raise AssertionError("no audit days the notice period allows were found")


def plan_surveillance(world: World, case: Case) -> int:
    manager = world.people(MANAGER)
    page = manager.open(f"/surveillance/certificates/{case.notes['certificate_id']}/")
    row = page.locator("table.sv-table tbody tr").first
    window = DAY.findall(row.locator("td").nth(2).inner_text())
    opens = date.fromisoformat(window[0])
    case.notes["surveillance_window"] = window
    # The first window opens three months before the first anniversary; the programme is planned then.
    world.clock.go_to_day(max(opens, world.clock.today()) + timedelta(days=1))
    page = manager.open(f"/surveillance/certificates/{case.notes['certificate_id']}/")
    expect(page.locator("table.sv-table tbody tr").first.locator(".sv-state")).to_be_visible()
    world.steps.shot(page, "surveillance-window-open")
    page.get_by_role("button", name="安排监督审核").click()
    page.wait_for_url(re.compile(r"/audits/\d+/plan/$"))
    _flash(page, "已创建监督审核")
    audit_id = int(re.search(r"/audits/(\d+)/plan/", page.url).group(1))
    case.notes["surveillance_audit_id"] = audit_id
    days = _propose_days(world, page)
    case.notes["surveillance_days"] = days
    world.steps.shot(page, "surveillance-dates-proposed")

    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open(f"/audits/{audit_id}/")
    page.get_by_role("link", name="确认审核日期").click()
    expect(page.locator("body")).to_contain_text(days[0].isoformat())
    page.get_by_role("button", name="确认以上日期").click()
    expect(page.locator(".history")).to_contain_text(days[0].isoformat())
    world.steps.shot(page, "surveillance-dates-confirmed")

    page = manager.open(f"/audits/{audit_id}/plan/")
    team = page.locator("#team")
    lead_row = team.locator("tbody tr", has_text="陈刚")
    lead_row.locator("input[name=members]").check()
    lead_row.locator("input[name=lead]").check()
    team.locator("tbody tr", has_text="王强").locator("input[name=members]").check()
    team.get_by_role("button", name="保存审核组").click()
    team_card = page.locator("section.card", has=page.get_by_role("heading", name="审核组", exact=True))
    expect(team_card.locator("ul.rows li")).to_have_count(2)
    sites = page.locator("section.card", has=page.get_by_role("heading", name="审核场所", exact=True))
    if sites.locator("ul.rows li").count() == 0:
        form = page.locator("#sites")
        form.get_by_label("场所类型").select_option("workshop")
        form.get_by_label("名称").fill("生产车间")
        form.get_by_label("地址").fill(case.notes.get("address", "上海市浦东新区张江路88号"))
        form.get_by_role("button", name="添加场所").click()
        expect(sites.locator("ul.rows li")).to_have_count(1)
    schedule = page.locator("#schedule")
    schedule.get_by_label("日期").select_option(days[0].isoformat())
    schedule.get_by_label("开始").fill("09:00")
    schedule.get_by_label("结束").fill("17:00")
    schedule.get_by_label("审核活动").fill("监督审核：生产过程、人员、设备与用户反馈")
    schedule.get_by_role("button", name="添加日程").click()
    expect(page.locator("body")).to_contain_text("监督审核：生产过程")
    world.steps.shot(page, "surveillance-plan")
    # The notice goes out no later than the last day the page computes (≥ 7 working days before day 1).
    last_allowed = date.fromisoformat(page.locator("#notice-date strong.code").first.inner_text().strip())
    assert world.clock.today() <= last_allowed < days[0]
    case.notes["surveillance_notice_last_day"] = last_allowed
    notice = page.locator("#notice")
    expect(notice.locator("ul.todo")).to_have_count(0)
    notice.get_by_role("button", name="生成并发出审核通知").click()
    expect(page.locator("h1 .status")).to_have_text("已发审核通知", timeout=PDF_POST)
    world.steps.shot(page, "surveillance-notified")
    mail = world.server.mail_to(case.owner_email, "审核通知")
    assert mail, "the enterprise received no audit notice"
    return audit_id


def conduct_with_major(world: World, case: Case, audit_id: int) -> None:
    days = case.notes["surveillance_days"]
    world.clock.go_to_day(days[0], hour=9)
    lead = world.people(LEAD)
    page = lead.open(f"/audits/{audit_id}/checklist/")
    page.get_by_role("button", name="开始现场审核").click()
    expect(page.locator("h1 .status")).to_have_text("现场审核中")
    world.steps.shot(page, "surveillance-started")

    items = page.locator("article.finding-item")
    count = items.count()
    assert count > 1
    major = items.first
    major_id = major.locator(".item-id").inner_text().strip()
    major.locator("label.choice-major").click()
    major.locator("textarea[name$='-note']").fill(
        "抽查 3 个在制订单，其中 2 个柜体尺寸偏差超过设计允差 3 mm，未见返工处理记录。"
    )
    major.locator("textarea[name$='-note']").blur()
    expect(major.locator("[data-state]")).to_contain_text("已保存")
    for index in range(1, count):
        item = items.nth(index)
        item.locator("label.choice-conform").click()
        expect(item.locator("[data-state]")).to_contain_text("已保存")
    page.reload()
    expect(page.locator("#answered-count")).to_have_text(str(count))
    world.steps.shot(page, "surveillance-checklist")
    major = page.locator("article.finding-item", has=page.locator(".item-id", has_text=major_id)).first
    major.get_by_role("button", name="开具不符合项").click()
    major = page.locator("article.finding-item", has=page.locator(".item-id", has_text=major_id)).first
    expect(major.locator(".nc-line")).to_contain_text("严重不符合")

    owner = world.people(case.owner_email, case.owner_password)
    page = owner.open(f"/audits/{audit_id}/")
    page.get_by_role("link", name="末次会议").click()
    card = page.locator("article.nc-card")
    expect(card).to_have_count(1)
    card.get_by_label("职务").fill("总经理")
    card.get_by_label("企业意见").fill("确认，立即组织返工并完善检验记录。")
    card.get_by_role("button", name="确认该不符合项").click()
    expect(page.locator("article.nc-card .ok-text")).to_be_visible()
    world.steps.shot(page, "surveillance-nc-confirmed")

    world.clock.go_to_day(days[1], hour=15)
    page = lead.open(f"/audits/{audit_id}/closing/")
    form = page.locator("#closing")
    form.get_by_label("会议时间").fill(f"{days[1].isoformat()}T15:00")
    form.get_by_label("审核结论").fill(
        "监督审核发现严重不符合 1 项：定制产品尺寸偏差未按程序处置，影响认证有效性，证书暂停至整改验证有效。"
    )
    form.get_by_role("button", name="记录末次会议").click()
    expect(page.locator("#meeting")).to_be_visible(timeout=PDF_POST)
    world.steps.shot(page, "surveillance-closing-major")


def surveillance_suspends(world: World, case: Case) -> None:
    audit_id = plan_surveillance(world, case)
    conduct_with_major(world, case, audit_id)
    manager = world.people(MANAGER)
    page = manager.open(f"/surveillance/certificates/{case.notes['certificate_id']}/")
    expect(page.locator(".sv-cert-suspended").first).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("暂停")
    world.steps.shot(page, "surveillance-suspended")
    public_verify(world, case, "暂停")


def walk(world: World, case: Case) -> None:
    """1–4: decision, download, verification, surveillance (the main scenario calls this after the survey)."""
    decide_grant(world, case)
    enterprise_downloads_certificate(world, case)
    public_verify(world, case, "有效")
    surveillance_suspends(world, case)

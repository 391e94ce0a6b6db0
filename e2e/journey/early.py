"""Register, apply, acceptance with a supplement, document review with a nonconformity (6 申请受理, 文件审核).

Every action goes through the pages as the person who takes it: the enterprise's owner, the
acceptance clerk (clerk@), who also assigns the document reviewer, and the reviewer (auditor@).
The case is left with its document review passed: the state in which the programme manager may
plan the on-site audit (the "安排现场审核" button of the application page).
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from certflow.accounts.uscc import check_character
from e2e.journey import Case, World

CLERK = "clerk@olis-cert.example"
REVIEWER = "auditor@olis-cert.example"
REVIEWER_LABEL = "审核员 王强 <auditor@olis-cert.example>"
# The nine materials of clause 6 申请受理 1, as the scheme file names them.
MATERIALS = (
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
SUPPLEMENTED = "equipment_list"
SITE_NAME = "总部及设计中心"
SITE_ADDRESS = "浙江省杭州市西湖区文三路 90 号"
NONCONFORMING_ITEM_INDEX = 0  # the first checklist item is found nonconforming (minor)
# Another enterprise's data that must never show on the new enterprise's pages (certflow demo).
OTHER_ENTERPRISE = "深圳市匠心定制家居有限公司"
_serial = itertools.count(1)


def uscc_for(serial: int) -> str:
    """A code with a valid check character (GB 32100-2015), different for each serial and each run."""
    first17 = f"913301{os.getpid() % 1000:03d}{serial:08d}"
    return first17 + check_character(first17)


def wrong_check_character(code: str) -> str:
    return code[:17] + next(c for c in "0123456789" if c != code[17])


# Trade names for the enterprises a run registers, one per case (a name the screenshots can show).
TRADE_NAMES = ("木言", "锦绣", "匠造", "雅居", "青禾", "云杉", "拾光", "禾木")


def new_case(tag: str = "early") -> Case:
    serial = next(_serial)
    unique = f"{os.getpid()}-{serial}"
    trade = TRADE_NAMES[(serial - 1) % len(TRADE_NAMES)] + ("" if serial <= len(TRADE_NAMES) else str(serial))
    return Case(
        enterprise_name=f"杭州{trade}定制家居有限公司",
        uscc=uscc_for(serial),
        owner_email=f"owner-{tag}-{unique}@gongfang.example",
        owner_password="Gongfang-e2e-2026!",
        contact_phone="13800138000",
    )


# --- files an enterprise uploads ---------------------------------------------------------------------


def pdf_file(folder: Path, name: str, title: str) -> Path:
    """A small real PDF (certflow.core.uploads sniffs the content, not the name)."""
    path = folder / name
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setTitle(title)
    sheet.drawString(72, 770, title)
    sheet.drawString(72, 750, "certflow e2e")
    sheet.showPage()
    sheet.save()
    return path


def files_folder(case: Case) -> Path:
    folder = case.notes.get("files_folder")
    if folder is None:
        folder = tempfile.mkdtemp(prefix="certflow-e2e-early-")
        case.notes["files_folder"] = folder
    return Path(folder)


# --- the enterprise ----------------------------------------------------------------------------------


def owner(world: World, case: Case):
    return world.people(case.owner_email, case.owner_password)


def fill_registration(page: Page, case: Case, uscc: str) -> None:
    page.get_by_label("企业名称").fill(case.enterprise_name)
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.get_by_label("联系人姓名").fill("王工坊")
    page.get_by_label("联系电话").fill(case.contact_phone)
    page.get_by_label("电子邮箱").fill(case.owner_email)
    page.get_by_label("密码", exact=True).fill(case.owner_password)
    page.get_by_label("再次输入密码").fill(case.owner_password)


def register(world: World, case: Case) -> Page:
    """From the login page to the registration page, registered and signed in on the enterprise home."""
    page = owner(world, case).page
    page.goto(world.server.url("/accounts/login/"))
    page.get_by_role("link", name="企业注册").click()
    page.wait_for_url("**/accounts/register/")
    fill_registration(page, case, case.uscc)
    world.steps.shot(page, "registration-filled")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/enterprise/")
    expect(page.locator("main h2").first).to_have_text(case.enterprise_name)
    expect(page.locator("main")).to_contain_text(case.uscc)
    world.steps.shot(page, "registered-enterprise-home")
    return page


def application_url(case: Case, suffix: str = "") -> str:
    return f"/applications/{case.application_id}/{suffix}"


def status_badge(page: Page):
    return page.locator(".page-head .status").first


def create_draft(world: World, case: Case) -> Page:
    page = owner(world, case).open("/enterprise/")
    page.get_by_role("link", name="新建认证申请").click()
    page.wait_for_url("**/applications/new/")
    page.get_by_role("button", name="创建申请").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    case.application_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))
    expect(status_badge(page)).to_have_text("草稿")
    world.steps.shot(page, "application-draft-created")
    return page


def fill_details_sites_declaration(world: World, page: Page) -> None:
    details = page.locator("#details")
    details.locator("input[name=categories]").first.check()
    details.locator("input[name=service_stages]").first.check()
    details.get_by_label("定制服务说明").fill("按客户量体数据设计、打样、生产并上门交付定制家具。")
    details.get_by_role("button", name="保存申请信息").click()
    expect(page.locator(".messages, .message").first).to_contain_text("申请信息已保存")
    sites = page.locator("#sites")
    sites.get_by_label("场所类型").select_option(index=0)
    sites.get_by_label("名称").fill(SITE_NAME)
    sites.get_by_label("地址").fill(SITE_ADDRESS)
    sites.get_by_role("button", name="添加场所").click()
    expect(page.locator("#sites")).to_contain_text(SITE_NAME)
    declaration = page.locator("#declaration")
    declaration.get_by_label("本企业确认以上声明属实").check()
    declaration.get_by_role("button", name="保存声明").click()
    expect(page.locator("#declaration .mark-line")).to_contain_text("声明")
    expect(page.locator("#declaration .mark-line.ok")).to_be_visible()
    world.steps.shot(page, "application-details-sites-declaration")


def upload_material(page: Page, code: str, path: Path) -> None:
    form = page.locator(f"#material-{code} form.upload-form")
    form.locator(f"#upload-{code}").set_input_files(str(path))
    form.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(f"#material-{code} .material-head .mark")).to_have_text(re.compile("已上传|已补充"))


def upload_new_version(page: Page, code: str, old_name: str, path: Path) -> None:
    row = page.locator(f"#material-{code}")
    replace = row.locator("details.replace", has=page.get_by_label(f"{old_name} 的新版本"))
    replace.locator("summary").click()
    replace.get_by_label(f"{old_name} 的新版本").set_input_files(str(path))
    replace.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(f"#material-{code} .message.success")).to_contain_text(path.name)


def upload_materials(world: World, case: Case, page: Page, codes=MATERIALS) -> None:
    folder = files_folder(case)
    for code in codes:
        upload_material(page, code, pdf_file(folder, f"{code}.pdf", f"{case.enterprise_name} {code}"))


def submit(world: World, case: Case, page: Page) -> None:
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("全部齐备，可以提交")
    world.steps.shot(page, "application-complete-ready-to-submit")
    checklist.get_by_role("button", name="提交申请").click()
    expect(status_badge(page)).to_have_text("已提交，待受理")
    expect(page.locator("main")).to_contain_text("认证机构将于")
    world.steps.shot(page, "application-submitted")


def assert_sees_only_own(world: World, case: Case) -> None:
    """The enterprise's lists show its own enterprise and application and nobody else's."""
    page = owner(world, case).open("/applications/")
    expect(page.locator("main")).to_contain_text("共 1 份申请")
    expect(page.locator("main")).not_to_contain_text(OTHER_ENTERPRISE)
    links = page.locator("main a[href^='/applications/']").evaluate_all(
        "els => [...new Set(els.map(e => e.getAttribute('href')).filter(h => /^\\/applications\\/\\d+\\/$/.test(h)))]"
    )
    assert links == [application_url(case)], links
    page = owner(world, case).open("/accounts/enterprises/")
    expect(page.locator("main")).to_contain_text(case.enterprise_name)
    expect(page.locator("main")).not_to_contain_text(OTHER_ENTERPRISE)
    world.steps.shot(page, "enterprise-sees-only-its-own")


def register_and_apply(world: World, case: Case) -> None:
    register(world, case)
    page = create_draft(world, case)
    fill_details_sites_declaration(world, page)
    case.notes["address"] = SITE_ADDRESS  # the site the later stages audit
    upload_materials(world, case, page)
    world.steps.shot(page, "materials-uploaded")
    submit(world, case, page)
    assert_sees_only_own(world, case)


# --- acceptance with a supplement (6 申请受理 2) --------------------------------------------------------


def clerk_opens_from_queue(world: World, case: Case) -> Page:
    page = world.people(CLERK).open("/applications/acceptance/")
    row = page.locator("table.queue tbody tr", has_text=case.enterprise_name)
    expect(row).to_have_count(1)
    world.steps.shot(page, "clerk-acceptance-queue")
    row.get_by_role("link", name=case.enterprise_name).click()
    page.wait_for_url("**" + application_url(case))
    return page


def acceptance_with_supplement(world: World, case: Case) -> None:
    world.clock.advance(days=1)
    page = clerk_opens_from_queue(world, case)
    expect(status_badge(page)).to_have_text("已提交，待受理")
    expect(page.locator(".deadline-line")).to_contain_text("受理截止")
    supplement = page.locator("#supplement")
    item = supplement.locator(".supplement-item", has_text="设备清单")
    item.get_by_role("checkbox").check()
    item.locator("textarea").fill("设备清单缺少检测设备的型号和计量检定日期，请补充。")
    supplement.get_by_label("总体说明（可选）").fill("其余材料齐全。")
    world.steps.shot(page, "clerk-asks-for-supplement")
    supplement.get_by_role("button", name="通知企业补充").click()
    expect(status_badge(page)).to_have_text("待补充材料")
    expect(page.locator("main")).to_contain_text("等待企业补充")
    world.steps.shot(page, "clerk-supplement-requested")

    world.clock.advance(days=1)
    page = owner(world, case).open(application_url(case))
    expect(status_badge(page)).to_have_text("待补充材料")
    expect(page.locator(".banner.warning")).to_contain_text("认证机构要求补充或修改材料")
    row = page.locator(f"#material-{SUPPLEMENTED}")
    expect(row.locator(".material-head .mark")).to_have_text("需补充或修改")
    expect(row.locator(".asked")).to_contain_text("计量检定日期")
    expect(page.locator("#checklist button", has_text="补充完成，重新提交")).to_be_disabled()
    world.steps.shot(page, "enterprise-sees-supplement-request")
    path = pdf_file(files_folder(case), "equipment_list_v2.pdf", f"{case.enterprise_name} 设备清单（含检定日期）")
    upload_new_version(page, SUPPLEMENTED, f"{SUPPLEMENTED}.pdf", path)
    expect(row.locator(".material-head .mark")).to_have_text("已补充")
    expect(row.locator("details.history")).to_contain_text("被替换的旧版本")
    resubmit = page.locator("#checklist button", has_text="补充完成，重新提交")
    expect(resubmit).to_be_enabled()
    world.steps.shot(page, "enterprise-supplement-uploaded")
    resubmit.click()
    expect(status_badge(page)).to_have_text("已提交，待受理")
    expect(page.locator("main")).to_contain_text("受理期限重新计算")
    world.steps.shot(page, "enterprise-resubmitted")

    world.clock.advance(days=1)
    page = clerk_opens_from_queue(world, case)
    expect(page.locator("main")).to_contain_text("企业已于")  # the supplement record shows it was answered
    deadline = page.locator(".deadline-line")
    expect(deadline).to_be_visible()
    expect(deadline).not_to_contain_text("逾期")  # decided within the 5 working days
    page.get_by_role("button", name="受理申请").click()
    expect(status_badge(page)).to_have_text("已受理")
    world.steps.shot(page, "clerk-accepted")

    page = owner(world, case).open(application_url(case))
    expect(status_badge(page)).to_have_text("已受理")
    expect(page.locator("#checklist")).to_contain_text("申请已受理")
    world.steps.shot(page, "enterprise-sees-accepted")


# --- document review with a nonconformity (6 文件审核) -------------------------------------------------


def assign_reviewer(world: World, case: Case) -> None:
    page = world.people(CLERK).open(application_url(case))
    page.get_by_role("link", name="指派文件审核员").click()
    page.wait_for_url(f"**/reviews/assign/{case.application_id}/")
    page.get_by_label("文件审核员").select_option(label=REVIEWER_LABEL)
    world.steps.shot(page, "clerk-assigns-reviewer")
    page.get_by_role("button", name="指派并开始文件审核").click()
    page.wait_for_url(re.compile(r"/reviews/\d+/$"))
    case.notes["review_id"] = int(re.search(r"/reviews/(\d+)/", page.url).group(1))
    expect(page.locator("h1 .status")).to_have_text("审核中")


def record_checklist(world: World, case: Case) -> str:
    """The reviewer answers every item: conform, except one minor finding. Returns that item's id."""
    page = world.people(REVIEWER).open(f"/reviews/{case.notes['review_id']}/")
    items = page.locator("article.checklist-item")
    total = items.count()
    assert total > 0
    expect(page.locator("#progress-count")).to_have_text(f"0 / {total}")
    world.steps.shot(page, "reviewer-opens-checklist")
    finding_item = ""
    for index in range(total):
        item = items.nth(index)
        item_id = item.locator(".item-id").inner_text().strip()
        if index == NONCONFORMING_ITEM_INDEX:
            finding_item = item_id
            item.locator("input[type=radio][value=minor]").check()
            item.locator("textarea[name=note]").fill("管理制度文件未规定定制需求确认的记录保存期限。")
            expected = "一般不符合"
        else:
            item.locator("input[type=radio][value=conform]").check()
            expected = "符合"
        item.get_by_role("button", name="保存本项").click()
        # htmx swaps the item in place: locate it again by its id and wait for the saved result.
        saved = page.locator(f"article.checklist-item:has(.item-id:text-is('{item_id}'))")
        expect(saved.locator(".item-head .status")).to_have_text(expected)
    expect(page.locator("#progress-count")).to_have_text(f"{total} / {total}")
    world.steps.shot(page, "reviewer-checklist-recorded")
    return finding_item


def complete_review(world: World, case: Case) -> None:
    page = world.people(REVIEWER).page
    page.locator("#complete").get_by_label("审核结论").fill("文件基本符合要求，存在 1 项一般不符合，须在期限内整改。")
    page.get_by_role("button", name="完成文件审核").click()
    expect(page.locator("h1 .status")).to_have_text("整改验证中")
    rows = page.locator(".nc-rows li")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".status")).to_have_text("待整改")
    case.notes["nonconformity_id"] = int(
        re.search(r"/nonconformities/(\d+)/", rows.first.locator("a").first.get_attribute("href")).group(1)
    )
    world.steps.shot(page, "reviewer-completed-with-nonconformity")


def enterprise_corrects(world: World, case: Case, finding_item: str) -> None:
    world.clock.advance(days=2)
    page = owner(world, case).open(application_url(case))
    expect(status_badge(page)).to_have_text("文件审核整改中")
    page.get_by_role("link", name="文件审核 →").click()
    page.wait_for_url(f"**/reviews/{case.notes['review_id']}/")
    expect(page.locator("main")).to_contain_text("记录保存期限")  # the issued report's checklist is visible
    world.steps.shot(page, "enterprise-sees-review-report")
    page.locator(".nc-rows li a").first.click()
    page.wait_for_url(f"**/reviews/nonconformities/{case.notes['nonconformity_id']}/")
    expect(page.locator("h1 .status")).to_have_text("待整改")
    expect(page.locator(".finding")).to_contain_text(finding_item)
    answer = page.locator("#answer")
    answer.get_by_label("原因分析").fill("制度起草时参照的旧模板未包含记录保存要求。")
    answer.get_by_label("纠正", exact=True).fill("已在《定制需求确认程序》中补充记录保存期限为 3 年。")
    answer.get_by_label("纠正措施").fill("修订文件模板并对文控人员进行培训，今后新制度须经合规复核。")
    evidence = pdf_file(files_folder(case), "corrective_evidence.pdf", "定制需求确认程序（修订版）")
    answer.get_by_label("证据文件").set_input_files(str(evidence))
    world.steps.shot(page, "enterprise-fills-corrective-action")
    answer.get_by_role("button", name="提交整改报告").click()
    expect(page.locator("h1 .status")).to_have_text("整改已提交，待验证")
    expect(page.locator("article.round")).to_contain_text("corrective_evidence.pdf")
    world.steps.shot(page, "enterprise-corrective-action-submitted")


def reviewer_verifies(world: World, case: Case) -> None:
    world.clock.advance(days=1)
    page = world.people(REVIEWER).open(f"/reviews/nonconformities/{case.notes['nonconformity_id']}/")
    decide = page.locator("#decide")
    expect(decide).to_be_visible()
    decide.get_by_label("审核员意见").fill("修订后的程序文件已规定记录保存期限，整改有效。")
    world.steps.shot(page, "reviewer-verifies-corrective-action")
    decide.get_by_role("button", name="验证通过").click()
    expect(page.locator("h1 .status")).to_have_text("已验证关闭")
    world.steps.shot(page, "reviewer-nonconformity-closed")
    page = world.people(REVIEWER).open(f"/reviews/{case.notes['review_id']}/")
    expect(page.locator("h1 .status")).to_have_text("已通过")
    world.steps.shot(page, "review-passed")


def document_review_with_nonconformity(world: World, case: Case) -> None:
    assign_reviewer(world, case)
    page = owner(world, case).open(application_url(case))
    expect(status_badge(page)).to_have_text("文件审核中")
    world.steps.shot(page, "enterprise-sees-review-started")
    finding_item = record_checklist(world, case)
    complete_review(world, case)
    enterprise_corrects(world, case, finding_item)
    reviewer_verifies(world, case)
    page = owner(world, case).open(application_url(case))
    expect(status_badge(page)).to_have_text("文件审核通过")
    world.steps.shot(page, "enterprise-sees-review-passed")
    # The programme manager can now plan the on-site audit from the application page.
    page = world.people("manager@olis-cert.example").open(application_url(case))
    expect(page.get_by_role("link", name="安排现场审核")).to_be_visible()
    world.steps.shot(page, "manager-may-plan-onsite-audit")


def walk(world: World, case: Case) -> None:
    register_and_apply(world, case)
    acceptance_with_supplement(world, case)
    document_review_with_nonconformity(world, case)

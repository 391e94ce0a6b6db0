"""Refusals an enterprise meets early (a wrong USCC, an incomplete application, a file that is not what
it claims to be), and the early stages walked on their own."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.journey import early


def test_wrong_uscc_is_refused_beside_the_field_and_nothing_is_created(world):
    case = early.new_case("uscc")
    person = early.owner(world, case)
    page = person.page
    page.goto(world.server.url("/accounts/register/"))
    early.fill_registration(page, case, early.wrong_check_character(case.uscc))
    page.get_by_role("button", name="注册").click()
    field = page.locator(".field.has-error", has=page.get_by_label("统一社会信用代码"))
    expect(field.locator(".field-error")).to_have_text("统一社会信用代码校验位不正确，请核对营业执照上的代码")
    assert page.url.endswith("/accounts/register/")
    world.steps.shot(page, "wrong-uscc-refused")

    # Nothing was created: signing in with the address just typed fails.
    page.goto(world.server.url("/accounts/login/"))
    page.fill("input[name=username]", case.owner_email)
    page.fill("input[name=password]", case.owner_password)
    page.click("form.stacked button[type=submit]")
    expect(page.locator(".form-errors")).to_contain_text("电子邮箱或密码不正确")
    world.steps.shot(page, "no-account-was-created")

    # The same form, corrected, succeeds (passwords are never sent back: typed again).
    page.goto(world.server.url("/accounts/register/"))
    early.fill_registration(page, case, early.wrong_check_character(case.uscc))
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.get_by_label("统一社会信用代码").fill(case.uscc)
    page.get_by_label("密码", exact=True).fill(case.owner_password)
    page.get_by_label("再次输入密码").fill(case.owner_password)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/enterprise/")
    expect(page.locator("main")).to_contain_text(case.uscc)
    world.steps.shot(page, "corrected-uscc-registered")

    # The same code again, by someone else: refused, naming the reason.
    other = early.new_case("uscc")
    page = early.owner(world, other).page
    page.goto(world.server.url("/accounts/register/"))
    early.fill_registration(page, other, case.uscc)
    page.get_by_role("button", name="注册").click()
    expect(page.locator(".field-error")).to_contain_text("该统一社会信用代码已登记")
    world.steps.shot(page, "uscc-already-registered")


def test_incomplete_application_cannot_be_submitted_and_says_what_is_missing(world):
    case = early.new_case("missing")
    early.register(world, case)
    page = early.create_draft(world, case)
    early.fill_details_sites_declaration(world, page)
    early.upload_materials(world, case, page, codes=early.MATERIALS[:-1])
    checklist = page.locator("#checklist")
    expect(checklist.locator("#missing-list li")).to_have_count(1)
    expect(checklist.locator("#missing-list")).to_contain_text("缺少申请材料：定制商品设计及生产案例")
    expect(checklist.get_by_role("button", name="提交申请")).to_be_disabled()
    expect(page.locator("#material-design_and_production_cases .mark")).to_have_text("缺少")
    world.steps.shot(page, "missing-material-blocks-submission")

    # A file named .pdf that is not a PDF is refused in its row, with what it really is.
    fake = early.files_folder(case) / "设计案例.pdf"
    fake.write_text("<html><body>not a pdf</body></html>", encoding="utf-8")
    form = page.locator("#material-design_and_production_cases form.upload-form")
    form.locator("input[type=file]").set_input_files(str(fake))
    form.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#material-design_and_production_cases .form-errors")).to_contain_text("设计案例.pdf")
    expect(page.locator("#material-design_and_production_cases .mark")).to_have_text("缺少")
    expect(checklist.get_by_role("button", name="提交申请")).to_be_disabled()
    world.steps.shot(page, "disguised-file-refused")

    # The real file completes the application.
    early.upload_materials(world, case, page, codes=early.MATERIALS[-1:])
    expect(checklist).to_contain_text("全部齐备，可以提交")
    expect(early.status_badge(page)).to_have_text("草稿")
    assert re.search(r"/applications/\d+/", page.url)

"""The pages of both sides: what each person sees, what their forms do, what is kept when refused."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.applications import services
from certflow.applications.domain import ApplicationStatus as S
from certflow.applications.models import Application, MaterialFile
from certflow.applications.tests.factories import (
    TODAY,
    ApplicationFactory,
    draft,
    pdf_file,
    submitted,
    supplement_requested,
    upload,
)
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def detail_url(application) -> str:
    return reverse("application_detail", args=[application.pk])


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def count_queries(client, url) -> int:
    from django.db import connection

    client.get(url)  # warm the per-process caches (working-day calendar, scheme) first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- the list and the new application ---------------------------------------------------------------


def test_enterprise_user_lists_only_their_own_applications(login, enterprise_a, user_a, enterprise_b, user_b):
    mine = draft(enterprise_a, user_a)
    theirs = draft(enterprise_b, user_b)
    body = page(login(user_a), reverse("application_list"))
    assert mine.reference in body
    assert theirs.reference not in body
    assert enterprise_b.name not in body
    assert reverse("application_new") in body


def test_staff_list_filters_by_status_and_search(login, clerk, enterprise_a, user_a, enterprise_b, user_b):
    first = draft(enterprise_a, user_a)
    second = submitted(enterprise_b, user_b)
    body = page(login(clerk), reverse("application_list") + "?status=submitted")
    assert second.reference in body and first.reference not in body
    body = page(login(clerk), reverse("application_list") + "?q=" + enterprise_a.name[:3])
    assert first.reference in body and second.reference not in body


def test_anonymous_visitor_is_sent_to_login(client):
    for name in ("application_list", "application_new", "acceptance_queue"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_enterprise_user_creates_an_application(login, enterprise_a, user_a):
    client = login(user_a)
    assert "初次认证" in page(client, reverse("application_new"))
    response = client.post(reverse("application_new"), {"enterprise": enterprise_a.pk, "application_type": "initial"})
    application = Application.objects.get(enterprise=enterprise_a)
    assert response.status_code == 302
    assert response.url == detail_url(application)
    assert application.created_by == user_a


def test_enterprise_user_cannot_create_for_another_enterprise(login, user_a, enterprise_b):
    response = login(user_a).post(
        reverse("application_new"), {"enterprise": enterprise_b.pk, "application_type": "initial"}
    )
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_staff_cannot_create_applications(login, clerk):
    assert login(clerk).get(reverse("application_new")).status_code == 403


def test_list_and_queue_queries_stay_flat(login, clerk, enterprise_a):
    client = login(clerk)
    ApplicationFactory.create_batch(3)
    list_few, queue_few = (
        count_queries(client, reverse("application_list")),
        count_queries(client, reverse("acceptance_queue")),
    )
    ApplicationFactory.create_batch(17)
    assert count_queries(client, reverse("application_list")) == list_few
    assert count_queries(client, reverse("acceptance_queue")) == queue_few


def test_enterprise_list_queries_stay_flat(login, enterprise_a, user_a):
    client = login(user_a)
    ApplicationFactory.create_batch(3, enterprise=enterprise_a)
    few = count_queries(client, reverse("application_list"))
    ApplicationFactory.create_batch(17, enterprise=enterprise_a)
    assert count_queries(client, reverse("application_list")) == few


# --- the enterprise's wizard -----------------------------------------------------------------------


def test_draft_shows_what_is_missing_and_a_disabled_submit_button(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    body = page(login(user_a), detail_url(application))
    assert "还差什么" in body
    assert "缺少申请材料：定制商品设计及生产案例" in body
    assert "近3年内无重大生产安全事故" in body  # the checklist line
    assert "近 3 年内无重大生产安全事故、产品质量投诉及违法违规行为记录" in body  # the standard's text
    assert 'disabled aria-describedby="missing-list"' in body
    for code in ("business_licence", "design_and_production_cases"):
        assert reverse("application_material_upload", args=[application.pk, code]) in body


def test_complete_draft_offers_an_enabled_submit_button(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a, complete=True)
    body = page(login(user_a), detail_url(application))
    assert "全部齐备，可以提交" in body
    assert "disabled" not in body.split('id="checklist"')[1].split("</section>")[0]


def test_details_form_saves_the_scheme_choices(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = login(user_a).post(
        reverse("application_details_save", args=[application.pk]),
        {
            "application_type": "recertification",
            "categories": ["custom_apparel", "other"],
            "other_category_description": "定制眼镜",
            "service_stages": ["solution_design", "after_sales"],
            "service_description": "量体定制",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.categories == ["custom_apparel", "other"]
    assert application.service_stages == ["solution_design", "after_sales"]
    assert application.application_type == "recertification"


def test_refused_details_keep_what_was_typed(login, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    events = Event.objects.count()
    response = login(user_a).post(
        reverse("application_details_save", args=[application.pk]),
        {"application_type": "initial", "service_description": "刚刚输入的新说明"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "申请已提交，内容不能再修改" in body
    assert Event.objects.count() == events


def test_invalid_choice_keeps_the_typed_description(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = login(user_a).post(
        reverse("application_details_save", args=[application.pk]),
        {"application_type": "initial", "categories": ["custom_cars"], "service_description": "我刚写的说明"},
    )
    assert response.status_code == 200
    assert "我刚写的说明" in response.content.decode()
    application.refresh_from_db()
    assert application.service_description == ""


def test_sites_are_added_and_removed(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    client = login(user_a)
    client.post(
        reverse("application_site_add", args=[application.pk]),
        {"kind": "workshop", "name": "二号车间", "address": "东莞市松山湖"},
    )
    site = application.sites.get()
    assert "二号车间" in page(client, detail_url(application))
    client.post(reverse("application_site_remove", args=[application.pk, site.pk]))
    site.refresh_from_db()
    assert site.removed_at is not None


def test_site_form_errors_keep_the_typed_name(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = login(user_a).post(
        reverse("application_site_add", args=[application.pk]), {"kind": "workshop", "name": "三号车间", "address": ""}
    )
    assert response.status_code == 200
    assert 'value="三号车间"' in response.content.decode()
    assert not application.sites.exists()


def test_declaration_is_saved(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    login(user_a).post(reverse("application_declaration_save", args=[application.pk]), {"made": "on"})
    application.refresh_from_db()
    assert application.declaration_made and application.declared_by == user_a


def test_several_files_are_uploaded_at_once(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    url = reverse("application_material_upload", args=[application.pk, "custom_goods_contracts"])
    response = login(user_a).post(url, {"files": [pdf_file("合同一.pdf"), pdf_file("合同二.pdf")]})
    assert response.status_code == 302
    assert response.url.endswith("#material-custom_goods_contracts")
    names = sorted(MaterialFile.objects.filter(application=application).values_list("original_name", flat=True))
    assert names == ["合同一.pdf", "合同二.pdf"]


def test_htmx_upload_answers_with_the_row_and_the_checklist(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    response = login(user_a).post(url, {"files": [pdf_file("简介.pdf")]}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<article class="material' in body and 'id="material-company_profile"' in body
    assert 'hx-swap-oob="true"' in body
    assert "简介.pdf" in body
    assert "<html" not in body


def test_a_new_version_replaces_the_file_in_the_row(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    old = upload(application, user_a, "company_profile", "v1")
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    login(user_a).post(url, {"files": [pdf_file("简介v2.pdf")], "replaces": old.pk})
    new = MaterialFile.objects.get(replaces=old)
    assert new.version == 2


def test_withdrawing_a_file_in_a_draft(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    file = upload(application, user_a, "company_profile")
    login(user_a).post(reverse("application_file_withdraw", args=[application.pk, file.pk]))
    file.refresh_from_db()
    assert file.withdrawn_at is not None


def test_submitting_an_incomplete_application_explains_and_changes_nothing(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    response = login(user_a).post(reverse("application_submit", args=[application.pk]))
    assert response.status_code == 200
    assert "申请尚不完整，不能提交" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_submitting_a_complete_application(login, enterprise_a, user_a, clerk):
    application = draft(enterprise_a, user_a, complete=True)
    response = login(user_a).post(reverse("application_submit", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.acceptance_due is not None


def test_after_a_supplement_request_uploads_open_only_for_the_requested_material(login, enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    client = login(user_a)
    body = page(client, detail_url(application))
    assert "营业执照扫描件不清晰，请重新上传" in body
    assert "请补充后重新提交" in body
    assert reverse("application_material_upload", args=[application.pk, "business_licence"]) in body
    assert reverse("application_material_upload", args=[application.pk, "equipment_list"]) not in body
    assert reverse("application_resubmit", args=[application.pk]) in body

    refused = client.post(
        reverse("application_material_upload", args=[application.pk, "equipment_list"]), {"files": [pdf_file("x.pdf")]}
    )
    assert refused.status_code == 302
    assert not MaterialFile.objects.filter(application=application, original_name="x.pdf").exists()

    client.post(
        reverse("application_material_upload", args=[application.pk, "business_licence"]),
        {"files": [pdf_file("执照-清晰.pdf")]},
    )
    client.post(reverse("application_resubmit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_withdrawing_an_application(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    login(user_a).post(reverse("application_withdraw", args=[application.pk]), {"reason": "暂不申请"})
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_unknown_material_code_is_404(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    url = reverse("application_material_upload", args=[application.pk, "tax_return"])
    assert login(user_a).post(url, {"files": [pdf_file()]}).status_code == 404


def test_english_reader_gets_english_refusals(login, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    client = login(user_a)
    client.cookies["django_language"] = "en"
    body = client.post(reverse("application_submit", args=[application.pk])).content.decode()
    assert "the application is incomplete" in body
    assert "missing application material" in body


# --- the clerk's side ------------------------------------------------------------------------------


def test_queue_is_ordered_by_deadline_with_badges(login, clerk, enterprise_a, user_a, enterprise_b, user_b):
    from certflow.applications.views_common import today

    later = ApplicationFactory(enterprise=enterprise_a, acceptance_due=today().replace(year=today().year + 1))
    overdue = ApplicationFactory(enterprise=enterprise_b, acceptance_due=today().replace(year=today().year - 1))
    ApplicationFactory(status=S.DRAFT, acceptance_due=None)
    body = page(login(clerk), reverse("acceptance_queue"))
    assert body.index(overdue.reference) < body.index(later.reference)
    assert "deadline-badge overdue" in body
    assert "2 份申请待受理" in body


def test_queue_is_for_clerks_only(login, programme_manager, user_a):
    assert login(programme_manager).get(reverse("acceptance_queue")).status_code == 403
    assert login(user_a).get(reverse("acceptance_queue")).status_code == 403


def test_clerk_sees_the_acceptance_page_with_three_decisions(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    body = page(login(clerk), detail_url(application))
    for name in ("application_accept", "application_request_supplement", "application_not_accept"):
        assert reverse(name, args=[application.pk]) in body
    assert enterprise_a.uscc in body
    assert "一号车间" in body
    assert reverse("material_file_download", args=[application.material_files.first().pk]) in body
    assert "本规范不适用于仅从事标准化商品生产销售且未涉及定制服务的企业" in body


def test_programme_manager_reads_without_decision_forms(login, programme_manager, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    body = page(login(programme_manager), detail_url(application))
    assert application.reference in body
    assert reverse("application_accept", args=[application.pk]) not in body


def test_clerk_accepts(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    response = login(clerk).post(reverse("application_accept", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ACCEPTED


def test_clerk_requests_a_supplement_per_material(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    login(clerk).post(
        reverse("application_request_supplement", args=[application.pk]),
        {
            "ask_equipment_list": "on",
            "text_equipment_list": "缺少校准日期",
            "message": "请一周内补充",
        },
    )
    application.refresh_from_db()
    assert application.status == S.SUPPLEMENT_REQUESTED
    request = application.supplement_requests.get()
    assert request.message == "请一周内补充"
    assert [(i.material, i.message) for i in request.items.all()] == [("equipment_list", "缺少校准日期")]


def test_supplement_request_without_a_message_keeps_what_was_typed(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    response = login(clerk).post(
        reverse("application_request_supplement", args=[application.pk]),
        {"ask_equipment_list": "on", "text_equipment_list": "", "message": "总体说明保留"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "请说明每项材料需要补充或修改的内容" in body
    assert "总体说明保留" in body
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_message_under_an_unticked_material_is_questioned_not_dropped(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    response = login(clerk).post(
        reverse("application_request_supplement", args=[application.pk]),
        {"text_company_profile": "简介太简略"},
    )
    body = response.content.decode()
    assert "请勾选该材料" in body and "简介太简略" in body
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_not_accepting_needs_a_reason_and_records_out_of_scope(login, clerk, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    client = login(clerk)
    response = client.post(reverse("application_not_accept", args=[application.pk]), {"out_of_scope": "on"})
    assert "不予受理必须说明理由" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    client.post(
        reverse("application_not_accept", args=[application.pk]), {"reason": "仅生产标准化五金件", "out_of_scope": "on"}
    )
    application.refresh_from_db()
    assert (application.status, application.out_of_scope, application.decision_reason) == (
        S.NOT_ACCEPTED,
        True,
        "仅生产标准化五金件",
    )
    assert "仅生产标准化五金件" in page(client, detail_url(application))


def test_deciding_twice_shows_the_refusal(login, clerk, enterprise_a, user_a):
    application = services.application_accept(by=clerk, application=submitted(enterprise_a, user_a))
    response = login(clerk).post(reverse("application_accept", args=[application.pk]))
    assert response.status_code == 400
    assert "不能执行" in response.content.decode()


# --- navigation and dashboard ---------------------------------------------------------------------


def test_navigation_offers_the_queue_to_clerks_and_the_list_to_others(login, client, clerk, programme_manager, user_a):
    body = page(login(clerk), reverse("acceptance_queue"))
    assert f'href="{reverse("acceptance_queue")}" aria-current="page"' in body
    assert f'href="{reverse("application_list")}" aria-current' not in body
    client.logout()
    body = page(login(programme_manager), reverse("dashboard"))
    assert reverse("application_list") in body and reverse("acceptance_queue") not in body.split("</nav>")[0]
    client.logout()
    assert reverse("application_list") in page(login(user_a), reverse("enterprise_home"))


def test_dashboard_summarises_the_queue(login, clerk, enterprise_a):
    from certflow.applications.views_common import today

    on = today()
    ApplicationFactory(acceptance_due=on)
    ApplicationFactory(acceptance_due=on.replace(year=on.year - 1))
    ApplicationFactory(acceptance_due=on.replace(year=on.year + 1))
    ApplicationFactory(status=S.ACCEPTED)
    body = page(login(clerk), reverse("dashboard"))
    section = body.split("待受理的申请")[1].split("</section>")[0]
    assert '<span class="stat-num">3</span><span class="stat-label">待受理' in section
    assert 'warn-num">1</span><span class="stat-label">今天到期' in section
    assert 'bad-num">1</span><span class="stat-label">已逾期' in section


def test_submit_uses_beijing_today(login, enterprise_a, user_a, monkeypatch):
    application = draft(enterprise_a, user_a, complete=True)
    monkeypatch.setattr("certflow.applications.views_enterprise.today", lambda: TODAY)
    login(user_a).post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.received_on == TODAY

"""The customer-list import: every row checked, all or nothing, duplicates merged, encodings."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certflow.core.rules import RuleViolation
from certflow.core.uploads import UploadRejected
from certflow.surveys import services
from certflow.surveys.models import Customer, ImportRow
from certflow.surveys.tests.helpers import HEADER, csv_bytes, customer_rows, new_survey, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    return new_survey(enterprise=enterprise_a, user=user_a, clerk=clerk)


def _import(survey, user, data: bytes, name="list.csv"):
    return services.list_upload(by=user, survey=survey, upload=upload(name, data))


def _reasons(job) -> dict[int, str]:
    return dict(job.rows.filter(outcome="rejected").values_list("row_number", "reason_zh"))


def test_good_list_is_imported(survey, user_a):
    job = _import(survey, user_a, csv_bytes(customer_rows(50)))
    assert job.state == "accepted"
    assert job.customers_created == 50 == survey.customers.count()
    assert set(survey.customers.values_list("category", flat=True)) == {
        "custom_furniture",
        "custom_apparel",
        "custom_electronic_accessories",
    }


def test_bad_rows_are_reported_and_nothing_is_imported(survey, user_a):
    rows = customer_rows(6)
    rows[0][1] = "12345"  # wrong phone → row 2
    rows[1][3] = "定制汽车"  # unknown category → row 3
    rows[2][5] = "2025-13-45"  # bad date → row 4
    rows[3][0] = ""  # no name → row 5
    rows[4][2] = "not-an-email"  # → row 6
    job = _import(survey, user_a, csv_bytes(rows))
    assert job.state == "rejected"
    reasons = _reasons(job)
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "12345" in reasons[2] and "手机号" in reasons[2]
    assert "定制汽车" in reasons[3]
    assert "2025-13-45" in reasons[4]
    assert "姓名为空" in reasons[5]
    assert "邮箱" in reasons[6]
    assert job.rows.filter(outcome="accepted").count() == 1  # row 7 is fine, but not imported
    assert survey.customers.count() == 0  # all or nothing


def test_a_rejected_upload_keeps_the_previous_list(survey, user_a):
    _import(survey, user_a, csv_bytes(customer_rows(10)))
    bad = customer_rows(10, start=100)
    bad[5][1] = "abc"
    job = _import(survey, user_a, csv_bytes(bad))
    assert job.state == "rejected"
    assert sorted(survey.customers.values_list("phone", flat=True)) == [f"139{i:08d}" for i in range(10)]


def test_empty_file_is_refused_before_storage(survey, user_a):
    with pytest.raises(UploadRejected):
        _import(survey, user_a, b"")


def test_header_only_file_fails_with_a_message(survey, user_a):
    job = _import(survey, user_a, csv_bytes([]))
    assert job.state == "failed"
    assert "没有用户数据" in job.message_zh


def test_missing_column_is_named(survey, user_a):
    header = [h for h in HEADER if h != "订单号"]
    rows = [r[:4] + r[5:] for r in customer_rows(3)]
    job = _import(survey, user_a, csv_bytes(rows, header=header))
    assert job.state == "failed"
    assert "订单号" in job.message_zh and "order_id" in job.message_en


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_read_without_mojibake(survey, user_a, encoding):
    rows = customer_rows(3)
    rows[0][0] = "张晓燕"
    job = _import(survey, user_a, csv_bytes(rows, encoding=encoding))
    assert job.state == "accepted", job.message_en
    assert Customer.objects.filter(survey=survey, name="张晓燕").exists()
    assert set(survey.customers.values_list("category", flat=True)) >= {"custom_furniture"}


def test_unreadable_encoding_is_refused(survey, user_a):
    data = csv_bytes(customer_rows(3)).decode().encode("utf-16")
    with pytest.raises(UploadRejected) as exc:
        _import(survey, user_a, data)
    assert "编码" in exc.value.zh or "空字符" in exc.value.zh


def test_latin1_bytes_that_decode_as_gb18030_fail_on_the_header(survey, user_a):
    # A Western-European export: gb18030 decodes some of it, but the header cannot match → no mojibake import.
    data = "Prénom;Téléphone\nJosé;0612345678\n".encode("latin-1")
    try:
        job = _import(survey, user_a, data)
    except UploadRejected:
        return
    assert job.state == "failed"
    assert survey.customers.count() == 0


def test_duplicates_are_merged_keeping_every_row_number(survey, user_a):
    rows = customer_rows(4)
    dup = list(rows[1])
    dup[4] = "SO-OTHER"
    dup[3] = "定制家具"  # same person, other category
    rows.append(dup)  # row 6 duplicates row 3
    rows.append(list(rows[1][:1]) + ["139-0000-0001"] + rows[1][2:])  # row 7: same phone, other spelling
    job = _import(survey, user_a, csv_bytes(rows))
    assert job.state == "accepted"
    assert job.customers_created == 4 and job.rows_merged == 2
    customer = Customer.objects.get(survey=survey, phone="13900000001")
    assert customer.source_rows == [3, 6, 7]
    assert customer.other_order_ids == ["SO-OTHER"]
    merged = job.rows.get(row_number=6)
    assert merged.outcome == ImportRow.Outcome.MERGED and merged.merged_into == 3
    assert "类别不同" in merged.reason_zh


def test_xlsx_with_typed_cells(survey, user_a):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["李明", 13812345678, "", "定制家具", 202501, date(2025, 9, 1), None])
    ws.append(["王芳", "021-62345678", "wf@example.com", "other", "X1", "2025/09/02", "2025年9月20日"])
    ws.append([None] * 7)  # blank row: ignored, counted in the message
    buf = io.BytesIO()
    wb.save(buf)
    job = services.list_upload(by=user_a, survey=survey, upload=SimpleUploadedFile("list.xlsx", buf.getvalue()))
    assert job.state == "accepted", list(job.rows.values_list("reason_en", flat=True))
    assert "空行" in job.message_zh
    li = Customer.objects.get(survey=survey, name="李明")
    assert li.phone == "13812345678" and li.order_id == "202501" and li.order_date == date(2025, 9, 1)
    assert Customer.objects.get(survey=survey, name="王芳").delivery_date == date(2025, 9, 20)


def test_future_and_inverted_dates(survey, user_a):
    rows = customer_rows(2)
    rows[0][5] = "2099-01-01"
    rows[1][5], rows[1][6] = "2025-10-05", "2025-10-01"
    job = _import(survey, user_a, csv_bytes(rows))
    reasons = _reasons(job)
    assert "晚于今天" in reasons[2]
    assert "交付日期早于下单日期" in reasons[3]


def test_only_enterprise_members_upload(survey, user_b, clerk):
    for who in (user_b, clerk):
        with pytest.raises(RuleViolation):
            _import(survey, who, csv_bytes(customer_rows(3)))


def test_a_running_import_blocks_a_second_upload_until_stale(survey, user_a):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from certflow.core.backup.storage import stored_names

    job = _import(survey, user_a, csv_bytes(customer_rows(3)))
    job.__class__.objects.filter(pk=job.pk).update(state="running")
    before = set(stored_names(default_storage))
    with pytest.raises(RuleViolation) as exc:
        _import(survey, user_a, csv_bytes(customer_rows(3)))
    assert exc.value.code == "import_running"
    # The refused list is not kept: no stored file without its record.
    assert set(stored_names(default_storage)) == before
    job.__class__.objects.filter(pk=job.pk).update(uploaded_at=timezone.now() - timedelta(hours=1))
    assert _import(survey, user_a, csv_bytes(customer_rows(4))).customers_created == 4


def test_run_import_command_resumes_a_job(survey, user_a, capsys):
    from django.core.management import call_command

    job = _import(survey, user_a, csv_bytes(customer_rows(3)))
    job.__class__.objects.filter(pk=job.pk).update(state="running")
    survey.customers.all().delete()
    call_command("survey", "run-import", str(job.pk))
    assert "accepted" in capsys.readouterr().out
    assert survey.customers.count() == 3

"""The customer-list upload: store, check every row, then replace the list all at once (decisions V2).

Pass 1 streams the file and writes one ImportRow per data row in batches, updating the job's
progress after each batch (the page polls it). Pass 2 runs only when no row was rejected: in one
transaction it merges rows sharing a phone number and creates the customers, reading the checked
rows back in key order a page at a time, so memory stays flat however long the list.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.core.files import storing
from certflow.core.rules import RuleViolation
from certflow.core.uploads import inspect_upload
from certflow.reviews.selectors import scheme_for
from certflow.surveys import domain
from certflow.surveys.importing import ListFileError, category_lookup, check_file
from certflow.surveys.models import Customer, ImportJob, ImportRow, Survey
from certflow.surveys.services.common import guard_enterprise_member, lock_survey, rules_for

logger = logging.getLogger(__name__)
BATCH = 2000
STALE = timedelta(minutes=30)
J = ImportJob.State


def list_upload(*, by, survey: Survey, upload) -> ImportJob:
    """Keep the file and queue its check; the import itself runs after the commit (start_import)."""
    guard_enterprise_member(by, survey)
    domain.check_list_editable(survey.status)
    inspected = inspect_upload(
        upload.name, upload, allowed=frozenset({"csv", "xlsx"}), max_bytes=settings.CERTFLOW_SURVEY_LIST_MAX_BYTES
    )
    # A refusal inside the transaction (a list still being imported) must not leave the stored file behind.
    with storing() as store:
        storage_name = store(inspected, upload, folder="surveys/lists")
        with transaction.atomic():
            locked = lock_survey(survey)
            domain.check_list_editable(locked.status)
            # A job whose worker died (server restart) must not block the list for ever: after STALE it
            # no longer counts as running, and `certflow survey run-import` can still finish it.
            recent = timezone.now() - STALE
            if locked.imports.filter(state__in=(J.QUEUED, J.RUNNING), uploaded_at__gte=recent).exists():
                raise RuleViolation(
                    "上一份名单仍在处理中，请等待完成后再上传",
                    "the previous list is still being processed; wait until it finishes",
                    "import_running",
                )
            job = ImportJob.objects.create(
                survey=locked,
                original_name=inspected.safe_name,
                storage_name=storage_name,
                kind=inspected.kind,
                size=inspected.size,
                sha256=inspected.sha256,
                encoding=inspected.text_encoding,
                uploaded_by=by,
            )
            record_event(
                actor=by,
                action="survey.list_uploaded",
                target=job,
                after={"survey": locked.pk, "file": job.original_name, "sha256": job.sha256, "size": job.size},
            )
            if settings.CERTFLOW_SURVEY_IMPORT_MODE != "inline":
                transaction.on_commit(lambda: start_import(job.pk))
    if settings.CERTFLOW_SURVEY_IMPORT_MODE == "inline":
        run_import(job.pk)
        job.refresh_from_db()
    return job


def start_import(job_pk: int) -> None:
    if settings.CERTFLOW_SURVEY_IMPORT_MODE == "inline":
        run_import(job_pk)
        return
    threading.Thread(target=_run_in_thread, args=(job_pk,), name=f"survey-import-{job_pk}", daemon=True).start()


def _run_in_thread(job_pk: int) -> None:
    close_old_connections()
    try:
        run_import(job_pk)
    except Exception:  # the job row says "failed"; the traceback goes to the log
        logger.exception("survey import %s failed", job_pk)
        ImportJob.objects.filter(pk=job_pk, state__in=(J.QUEUED, J.RUNNING)).update(
            state=J.FAILED,
            message_zh="处理时发生内部错误，请重新上传或联系认证机构",
            message_en="an internal error stopped the import; upload again or contact the CB",
            finished_at=timezone.now(),
        )
    finally:
        connection.close()


def _finish(job: ImportJob, state: str, zh: str, en: str) -> None:
    job.state, job.message_zh, job.message_en, job.finished_at = state, zh, en, timezone.now()
    job.save(update_fields=["state", "message_zh", "message_en", "finished_at", "rows_seen", "rows_rejected"])


def run_import(job_pk: int) -> ImportJob:
    """Check the file (pass 1) and, if every row is good, replace the list (pass 2)."""
    job = ImportJob.objects.select_related("survey__application__scheme_version").get(pk=job_pk)
    if job.state not in (J.QUEUED, J.RUNNING):
        return job
    job.rows.all().delete()  # a resumed job starts its check again
    job.state, job.rows_seen, job.rows_rejected = J.RUNNING, 0, 0
    job.save(update_fields=["state", "rows_seen", "rows_rejected"])
    categories = category_lookup(scheme_for(job.survey.application).scope.categories)
    blank = 0
    try:
        with default_storage.open(job.storage_name, "rb") as stream:
            batch: list[ImportRow] = []
            for _number, result in check_file(
                stream, kind=job.kind, encoding=job.encoding, categories=categories, today=timezone.localdate()
            ):
                if result is None:
                    blank += 1
                    continue
                batch.append(_row(job, result))
                job.rows_seen += 1
                job.rows_rejected += bool(result.errors)
                if len(batch) >= BATCH:
                    _flush(job, batch)
            _flush(job, batch)
    except ListFileError as exc:
        _finish(job, J.FAILED, exc.zh, exc.en)
        return job
    if job.rows_seen == 0:
        _finish(job, J.FAILED, "文件只有表头，没有用户数据", "the file has a header but no customer rows")
        return job
    blank_zh = f"（另有 {blank} 个空行已忽略）" if blank else ""
    blank_en = f" ({blank} blank rows ignored)" if blank else ""
    if job.rows_rejected:
        _finish(
            job,
            J.REJECTED,
            f"{job.rows_rejected} 行有错误，整份名单未导入；请改正后重新上传{blank_zh}",
            f"{job.rows_rejected} rows have errors, so nothing was imported; correct them and upload again{blank_en}",
        )
        return job
    return _replace_list(job, blank_zh, blank_en)


def _row(job: ImportJob, result) -> ImportRow:
    if result.errors:
        return ImportRow(
            job=job,
            row_number=result.row_number,
            outcome=ImportRow.Outcome.REJECTED,
            reason_zh="；".join(zh for zh, _en in result.errors),
            reason_en="; ".join(en for _zh, en in result.errors),
        )
    return ImportRow(
        job=job, row_number=result.row_number, outcome=ImportRow.Outcome.ACCEPTED, key=result.key, data=result.data
    )


def _flush(job: ImportJob, batch: list[ImportRow]) -> None:
    if batch:
        ImportRow.objects.bulk_create(batch)
        batch.clear()
    # Progress for the polling page: committed at once (pass 1 runs outside any transaction).
    ImportJob.objects.filter(pk=job.pk).update(rows_seen=job.rows_seen, rows_rejected=job.rows_rejected)


def _accepted_pages(job: ImportJob):
    """Accepted rows in (key, row number) order, a page at a time by keyset (no long-lived cursor)."""
    last = ("", 0)
    while True:
        page = list(
            ImportRow.objects.filter(job=job, outcome=ImportRow.Outcome.ACCEPTED)
            .filter(_after(last))
            .order_by("key", "row_number")
            .values("pk", "row_number", "key", "data")[:BATCH]
        )
        if not page:
            return
        yield from page
        last = (page[-1]["key"], page[-1]["row_number"])


def _after(last):
    # A range on the (job, key, row_number) index; an OR of the two cases would scan the table on SQLite.
    key, number = last
    return Q(key__gte=key) & ~Q(key=key, row_number__lte=number)


def _customer(survey: Survey, group: list[dict]) -> Customer:
    first = group[0]["data"]
    others = [g["data"]["order_id"] for g in group[1:] if g["data"]["order_id"] != first["order_id"]]
    return Customer(
        survey=survey,
        name=first["name"],
        phone=first["phone"],
        email=first["email"] or next((g["data"]["email"] for g in group if g["data"]["email"]), ""),
        category=first["category"],
        order_id=first["order_id"],
        order_date=first["order_date"] or None,
        delivery_date=first["delivery_date"] or None,
        source_rows=[g["row_number"] for g in group],
        other_order_ids=list(dict.fromkeys(others)),
    )


def _merged_rows(group: list[dict]) -> list[ImportRow]:
    first = group[0]
    rows = []
    for g in group[1:]:
        zh = f"与第 {first['row_number']} 行电话相同，已合并为同一用户"
        en = f"same phone as row {first['row_number']}; merged into one customer"
        if g["data"]["category"] != first["data"]["category"]:
            zh += f"（类别不同，按第 {first['row_number']} 行计入分层）"
            en += f" (different category; row {first['row_number']}'s category is used for the stratum)"
        rows.append(
            ImportRow(
                pk=g["pk"],
                outcome=ImportRow.Outcome.MERGED,
                merged_into=first["row_number"],
                reason_zh=zh,
                reason_en=en,
            )
        )
    return rows


def _replace_list(job: ImportJob, blank_zh: str, blank_en: str) -> ImportJob:
    with transaction.atomic():
        survey = lock_survey(job.survey)
        try:
            domain.check_list_editable(survey.status)
        except RuleViolation as exc:
            _finish(job, J.FAILED, exc.zh, exc.en)
            return job
        survey.customers.all().delete()
        customers: list[Customer] = []
        merged: list[ImportRow] = []
        created = merged_count = 0
        group: list[dict] = []

        def close_group():
            nonlocal created, merged_count
            if group:
                customers.append(_customer(survey, group))
                merged.extend(_merged_rows(group))
                merged_count += len(group) - 1
                group.clear()
            if len(customers) >= BATCH:
                Customer.objects.bulk_create(customers)
                created += len(customers)
                customers.clear()
            if len(merged) >= BATCH:
                ImportRow.objects.bulk_update(merged, ["outcome", "merged_into", "reason_zh", "reason_en"])
                merged.clear()

        for row in _accepted_pages(job):
            if group and group[0]["key"] != row["key"]:
                close_group()
            group.append(row)
        close_group()
        Customer.objects.bulk_create(customers)
        created += len(customers)
        ImportRow.objects.bulk_update(merged, ["outcome", "merged_into", "reason_zh", "reason_en"])
        rules = rules_for(survey)
        job.customers_created, job.rows_merged = created, merged_count
        job.save(update_fields=["customers_created", "rows_merged"])
        _finish(
            job,
            J.ACCEPTED,
            f"已导入 {created} 位用户（{job.rows_seen} 行，合并重复 {merged_count} 行）{blank_zh}",
            f"{created} customers imported ({job.rows_seen} rows, {merged_count} duplicates merged){blank_en}",
        )
        record_event(
            actor=job.uploaded_by,
            action="survey.list_imported",
            target=survey,
            after={
                "job": job.pk,
                "customers": created,
                "rows": job.rows_seen,
                "merged": merged_count,
                "sample_size": rules.sample_size.for_population(created),
            },
        )
    return job

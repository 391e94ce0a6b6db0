"""Build a bench database: migrate, scheme sync, demo, then the bulk data set (COPY and generate_series).

    .venv/bin/python bench/generate.py --size small|large

Object counts are in bench/common.py (SIZES). Everything is deterministic: the same size gives the same
rows, so two databases of different sizes hold the same kind of object at the same place in the recipe.
"""

import argparse
import hashlib
import io
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CERTFLOW, DATABASES, PG, SIZES, Size, run, setup_django, timed  # noqa: E402

TODAY = date(2026, 11, 25)
CITIES = [
    ("苏州", "320500"), ("杭州", "330100"), ("广州", "440100"), ("深圳", "440300"), ("成都", "510100"),
    ("南京", "320100"), ("宁波", "330200"), ("佛山", "440600"), ("青岛", "370200"), ("厦门", "350200"),
    ("天津", "120000"), ("武汉", "420100"), ("合肥", "340100"), ("长沙", "430100"), ("西安", "610100"),
    ("郑州", "410100"), ("温州", "330300"), ("东莞", "441900"), ("无锡", "320200"), ("济南", "370100"),
]  # fmt: skip
TRADE = (
    "木语巧手匠作锦程海木蓉城津门瓯江庐州秦淮雅居优品鸿远华艺嘉禾"
    "恒信和美永盛金源德润瑞丰天成汇通宏图新宇博雅兴隆安泰福佳明辉"
)
PRODUCTS = [
    ("定制家具", "custom_furniture"), ("定制服饰", "custom_apparel"), ("定制橱柜", "custom_furniture"),
    ("定制电子配件", "custom_electronic_accessories"), ("定制家居", "custom_furniture"),
]  # fmt: skip
SERVICES = ["requirements_research", "solution_design", "manufacturing", "quality_inspection",
            "delivery_installation", "after_sales"]  # fmt: skip
SERVICE_ZH = ["需求调研", "方案设计", "生产制造", "质量检测", "配送安装", "售后服务"]
GRADES = [("compliant", "达标", "Compliant"), ("three_star", "三星", "Three-star"),
          ("four_star", "四星", "Four-star"), ("five_star", "五星", "Five-star")]  # fmt: skip
# In-flight applications: every status an application can be in besides certified.
INFLIGHT = ["draft", "submitted", "supplement_requested", "accepted", "not_accepted", "withdrawn",
            "document_review", "document_corrections", "document_review_passed", "onsite_audit",
            "onsite_corrections", "onsite_audit_passed", "decision", "refused"]  # fmt: skip


def enterprise_name(i: int) -> str:
    city = CITIES[i % len(CITIES)][0]
    n = len(TRADE)
    trade = TRADE[(i // len(CITIES)) % n] + TRADE[(i // (len(CITIES) * n)) % n]
    product = PRODUCTS[i % len(PRODUCTS)][0]
    # The running number keeps every name unique even where city and trade name repeat.
    return f"{city}{trade}{product}第{i}号有限公司"


def enterprise_uscc(i: int) -> str:
    from certflow.accounts.uscc import ALPHABET, check_character

    digits, n = [], i
    for _ in range(7):
        digits.append(ALPHABET[n % 31])
        n //= 31
    body = "91" + CITIES[i % len(CITIES)][1] + "BQ" + "".join(reversed(digits))
    return body + check_character(body)


def copy_text(value) -> str:
    if value is None:
        return r"\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


class CopyBuffer:
    """Rows collected as COPY text and flushed in large chunks."""

    def __init__(self, copy, limit=8 << 20):
        self.copy, self.buf, self.limit = copy, io.StringIO(), limit

    def row(self, values) -> None:
        self.buf.write("\t".join(copy_text(v) for v in values))
        self.buf.write("\n")
        if self.buf.tell() > self.limit:
            self.flush()

    def flush(self) -> None:
        self.copy.write(self.buf.getvalue().encode("utf-8"))
        self.buf.seek(0)
        self.buf.truncate()

    def flush_if_big(self) -> None:
        if self.buf.tell() > self.limit:
            self.flush()


def recreate_database(name: str) -> None:
    import psycopg

    assert name in DATABASES.values(), name
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class without_indexes:
    """Drop a table's secondary indexes and unique constraints for a bulk load and build them again after:
    one sort per index instead of millions of random B-tree inserts."""

    def __init__(self, cur, table: str):
        self.cur, self.table = cur, table

    def __enter__(self):
        t = self.table
        self.constraints = self.cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'u'",
            [t],
        ).fetchall()
        for name, _definition in self.constraints:
            self.cur.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
        self.indexes = self.cur.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
            [t],
        ).fetchall()
        for name, _definition in self.indexes:
            self.cur.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        self.cur.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in self.indexes:
            self.cur.execute(definition)
        for name, definition in self.constraints:
            self.cur.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
        return False


class Builder:
    def __init__(self, size: Size, conn):
        self.s, self.conn = size, conn
        self.cur = conn.cursor()

    def one(self, sql, params=None):
        return self.cur.execute(sql, params).fetchone()[0]

    def sql(self, sql, params=None):
        start = time.perf_counter()
        self.cur.execute(sql, params)
        took = time.perf_counter() - start
        if took > float(os.environ.get("BENCH_TRACE", "1")):
            print(f"    ({took:.1f} s: {' '.join(sql.split())[:70]})", flush=True)

    def start_ids(self):
        self.users = dict(self.cur.execute("SELECT email, id FROM accounts_user").fetchall())
        self.admin = self.users["admin@olis-cert.example"]
        self.auditor = self.users["auditor@olis-cert.example"]
        self.lead = self.users["lead@olis-cert.example"]
        self.manager = self.users["manager@olis-cert.example"]
        self.scheme, content = self.cur.execute(
            "SELECT id, content FROM schemes_schemeversion ORDER BY id LIMIT 1"
        ).fetchone()
        # Nonconformities cite the scheme's own requirement items.
        self.items = [item["id"] for item in content["requirements"]]

        def base(table):
            return self.one(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")

        self.ent0 = base("accounts_enterprise")
        self.app0 = base("applications_application")
        self.cert0 = base("certificates_certificate")
        self.aud0 = base("audits_audit")
        self.nc0 = base("reviews_nonconformity")
        self.rev0 = base("reviews_documentreview")
        self.dec0 = base("decisions_decision")
        self.srv0 = base("surveys_survey")
        self.cus0 = base("surveys_customer")
        self.inv0 = base("surveys_invitation")
        self.rsp0 = base("surveys_response")
        self.csc0 = base("certificates_certificatestatuschange")

    # --- enterprises -------------------------------------------------------------------------------------
    def enterprises(self):
        with self.cur.copy(
            "COPY accounts_enterprise (id, name, uscc, address, legal_representative, contact_name, contact_phone,"
            " contact_email, created_at, created_by_id) FROM STDIN"
        ) as copy:
            out = CopyBuffer(copy)
            for i in range(self.s.enterprises):
                city = CITIES[i % len(CITIES)][0]
                out.row(
                    (
                        self.ent0 + i,
                        enterprise_name(i),
                        enterprise_uscc(i),
                        f"{city}市工业园区{i % 97 + 1}号",
                        f"法人{i}",
                        f"联系人{i}",
                        f"138{i:08d}",
                        f"contact{i}@ent{i}.example",
                        datetime(2022, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                        self.admin,
                    )
                )
            out.flush()

    # --- certificates ------------------------------------------------------------------------------------
    def certificate_plan(self, k: int) -> dict:
        """Status, dates and links of certificate k (deterministic)."""
        s = self.s
        enterprise = k % s.enterprises
        legacy = k % 10 == 9
        r = (k * 7919) % 100
        superseded = not legacy and k % 10 == 0 and k + s.enterprises < s.certificates
        supersedes = k - s.enterprises if (k >= s.enterprises and (k - s.enterprises) % 10 == 0) else None
        if legacy:
            status = "lapsed" if r < 70 else ("expired" if r < 90 else "revoked")
            issued = date(2021, 1, 1) + timedelta(days=(k * 13) % 900)
        elif superseded:
            status = "superseded"
            issued = TODAY - timedelta(days=1000 + k % 80)
        elif r < 69:
            status = "valid"
            issued = TODAY - timedelta(days=(k * 37) % 1000)
        elif r == 69:
            # Due for expiry: the daily sweep has work on the large set.
            status = "valid"
            issued = TODAY - timedelta(days=3 * 365 + 3 + k % 5)
        elif r < 77:
            status = "suspended"
            issued = TODAY - timedelta(days=(k * 37) % 1000)
        elif r < 84:
            status = "revoked"
            issued = TODAY - timedelta(days=(k * 37) % 1000)
        else:
            status = "expired"
            issued = TODAY - timedelta(days=3 * 365 + 30 + (k * 11) % 700)
        if supersedes is not None:
            issued = TODAY - timedelta(days=(k * 17) % 200)
            if status in ("expired", "superseded"):
                status = "valid"
        return {
            "enterprise": enterprise,
            "legacy": legacy,
            "status": status,
            "issued": issued,
            "supersedes": supersedes if (supersedes is not None and not legacy) else None,
        }

    def certificates(self):
        from certflow.certificates import signing

        key = signing.signing_key(create=True)
        counters: dict[str, int] = dict(
            self.cur.execute("SELECT name, value FROM core_counter WHERE name LIKE 'certificate-number-%'").fetchall()
        )
        self.cert_plan = []
        with self.cur.copy(
            "COPY certificates_certificate (id, number, scheme_code, scheme_version_label, enterprise_name,"
            " enterprise_uscc, enterprise_address, scope_categories, scope_services, scope_text, scope_text_en,"
            " grade_code, grade_name, grade_name_en, issued_on, expires_on, status, status_since, status_reason,"
            " is_legacy, signed_payload, signature, signing_key_id, created_at, updated_at, application_id,"
            " created_by_id, enterprise_id, scheme_version_id, supersedes_id) FROM STDIN"
        ) as copy:
            out = CopyBuffer(copy)
            legacy_seq: dict[int, int] = {}
            for k in range(self.s.certificates):
                p = self.certificate_plan(k)
                self.cert_plan.append(p)
                e = p["enterprise"]
                issued = p["issued"]
                expires = (
                    issued.replace(year=issued.year + 3)
                    if not (issued.month == 2 and issued.day == 29)
                    else (date(issued.year + 3, 3, 1))
                )
                product, category = PRODUCTS[e % len(PRODUCTS)]
                services = SERVICES[: 3 + k % 4]
                if p["legacy"]:
                    legacy_seq[issued.year] = legacy_seq.get(issued.year, 0) + 1
                    number = f"OLS-DZ-{issued.year}-{legacy_seq[issued.year]:05d}"
                    scheme_code, scheme_id, app_id = "CTS OLS/GZ-0056-2022", None, None
                    scope = f"{product}的设计、生产、配送安装及售后服务"
                    scope_en, categories, services = "", [], []
                else:
                    name = f"certificate-number-{issued.year}"
                    counters[name] = counters.get(name, 0) + 1
                    number = f"OLS-GZ0056-{issued.year}-{counters[name]:05d}"
                    scheme_code, scheme_id, app_id = "CTS OLS/GZ-0056-2025", self.scheme, self.app0 + k
                    scope = f"{product}；服务环节：" + "、".join(SERVICE_ZH[: len(services)])
                    scope_en = f"{category}; service stages: " + ", ".join(services)
                    categories = [category]
                grade = GRADES[k % 4]
                since = issued if p["status"] == "valid" else min(TODAY, issued + timedelta(days=200 + k % 300))
                if p["status"] == "lapsed":
                    since = date(2026, 10, 16)
                if p["status"] == "expired":
                    since = expires
                p["number"], p["expires"], p["since"] = number, expires, since
                claims = signing.Claims(
                    number=number,
                    enterprise_name=enterprise_name(e),
                    uscc=enterprise_uscc(e),
                    scope=scope,
                    grade=grade[1],
                    scheme=f"{scheme_code} A/0",
                    issued_on=issued,
                    expires_on=expires,
                )
                signed = signing.sign(claims, key)
                created = datetime.combine(issued, datetime.min.time(), tzinfo=UTC)
                out.row(
                    (
                        self.cert0 + k,
                        number,
                        scheme_code,
                        "A/0",
                        enterprise_name(e),
                        enterprise_uscc(e),
                        f"{CITIES[e % len(CITIES)][0]}市工业园区{e % 97 + 1}号",
                        json.dumps(categories),
                        json.dumps(services),
                        scope,
                        scope_en,
                        grade[0],
                        grade[1],
                        grade[2],
                        issued,
                        expires,
                        p["status"],
                        since,
                        "" if p["status"] == "valid" else f"批量数据：{p['status']}",
                        p["legacy"],
                        signed.payload,
                        signed.signature,
                        signed.key_id,
                        created,
                        created,
                        app_id,
                        self.admin,
                        self.ent0 + e,
                        scheme_id,
                        self.cert0 + p["supersedes"] if p["supersedes"] is not None else None,
                    )
                )
            out.flush()
        for name, value in counters.items():
            self.sql(
                "INSERT INTO core_counter (name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET value ="
                " excluded.value",
                [name, value],
            )
        # One history row per certificate not valid any more (what the status change services write).
        self.sql(
            """INSERT INTO certificates_certificatestatuschange
               (from_status, to_status, effective_on, reason, changed_at, certificate_id, changed_by_id)
               SELECT 'valid', status, status_since, status_reason, status_since::timestamptz, id,
                      CASE WHEN status IN ('suspended', 'revoked') THEN %s END
               FROM certificates_certificate WHERE id >= %s AND status <> 'valid'""",
            [self.manager, self.cert0],
        )

    # --- applications, reviews, decisions ---------------------------------------------------------------
    def applications(self):
        s = self.s
        # At least a full page of the clerk's queue (50) in every in-flight status, so that the small and the
        # large set render the same number of rows and the staff-pages ratio measures scale, not page size.
        self.inflight = max(int(s.certificates * 0.3), len(INFLIGHT) * 60)
        # Certified applications: one per certificate of the current scheme (id app0 + k, k = certificate).
        self.sql(
            """INSERT INTO applications_application
               (id, reference, application_type, status, categories, other_category_description, service_stages,
                service_description, declaration_made, declared_at, created_at, submitted_at, received_on,
                acceptance_due, decided_at, decision_reason, out_of_scope, updated_at, created_by_id,
                decided_by_id, declared_by_id, enterprise_id, scheme_version_id)
               SELECT %(app0)s + k, 'SQB-' || lpad(k::text, 8, '0'),
                      CASE WHEN k >= %(E)s AND (k - %(E)s) %% 10 = 0 THEN 'recertification' ELSE 'initial' END,
                      'certified', '["custom_furniture"]', '', '["manufacturing"]', '批量数据', true,
                      c.created_at - interval '120 days', c.created_at - interval '120 days',
                      c.created_at - interval '119 days', (c.created_at - interval '119 days')::date,
                      (c.created_at - interval '112 days')::date, c.created_at - interval '115 days', '', false,
                      c.created_at, %(admin)s, %(admin)s, %(admin)s, c.enterprise_id, %(scheme)s
               FROM generate_series(0, %(C)s - 1) k
               JOIN certificates_certificate c ON c.id = %(cert0)s + k
               WHERE k %% 10 <> 9""",
            {"app0": self.app0, "E": s.enterprises, "admin": self.admin, "scheme": self.scheme, "C": s.certificates,
             "cert0": self.cert0},
        )  # fmt: skip
        # In flight: every other status, due dates around today (some overdue, for the queue and the sweep).
        self.sql(
            """INSERT INTO applications_application
               (id, reference, application_type, status, categories, other_category_description, service_stages,
                service_description, declaration_made, declared_at, created_at, submitted_at, received_on,
                acceptance_due, decided_at, decision_reason, out_of_scope, updated_at, created_by_id,
                decided_by_id, declared_by_id, enterprise_id, scheme_version_id)
               SELECT %(app0)s + %(C)s + q, 'SQB-' || lpad((%(C)s + q)::text, 8, '0'), 'initial',
                      (%(statuses)s::text[])[1 + q %% %(n)s], '["custom_apparel"]', '', '["manufacturing"]',
                      '批量数据', q %% %(n)s <> 0, now() - interval '30 days', now() - (q %% 90) * interval '1 day',
                      CASE WHEN q %% %(n)s = 0 THEN NULL ELSE now() - (q %% 60) * interval '1 day' END,
                      CASE WHEN q %% %(n)s = 0 THEN NULL ELSE current_date - (q %% 60) END,
                      CASE WHEN q %% %(n)s = 0 THEN NULL ELSE current_date - (q %% 60) + 7 END,
                      NULL, '', false, now(), %(admin)s, NULL, NULL, %(ent0)s + q %% %(E)s, %(scheme)s
               FROM generate_series(0, %(Q)s - 1) q""",
            {"app0": self.app0, "C": s.certificates, "statuses": INFLIGHT, "n": len(INFLIGHT), "admin": self.admin,
             "ent0": self.ent0, "E": s.enterprises, "scheme": self.scheme, "Q": self.inflight},
        )  # fmt: skip
        # The document review of every application past it.
        self.sql(
            """INSERT INTO reviews_documentreview (status, assigned_at, started_at, completed_at, completed_on,
                      passed_at, summary, application_id, assigned_by_id, reviewer_id)
               SELECT CASE WHEN status IN ('document_review') THEN 'in_progress'
                           WHEN status = 'document_corrections' THEN 'corrections' ELSE 'passed' END,
                      submitted_at, submitted_at, submitted_at + interval '10 days',
                      (submitted_at + interval '10 days')::date,
                      CASE WHEN status NOT IN ('document_review', 'document_corrections')
                           THEN submitted_at + interval '20 days' END,
                      '批量数据', id, %(admin)s, %(auditor)s
               FROM applications_application
               WHERE id >= %(app0)s AND status NOT IN ('draft', 'submitted', 'supplement_requested', 'accepted',
                                                       'not_accepted', 'withdrawn')""",
            {"admin": self.admin, "auditor": self.auditor, "app0": self.app0},
        )
        # Decisions: granted (with the certificate), open, refused.
        self.sql(
            """INSERT INTO decisions_decision (status, opened_at, dossier, score, grade_code, reasons, decided_on,
                      decided_at, notice_storage_name, notice_sha256, notice_size, application_id, certificate_id,
                      decided_by_id, enterprise_id, opened_by_id)
               SELECT CASE a.status WHEN 'certified' THEN 'granted' WHEN 'refused' THEN 'refused' ELSE 'open' END,
                      a.updated_at - interval '10 days', '{}', CASE WHEN a.status = 'certified' THEN 90 END,
                      coalesce(c.grade_code, ''),
                      CASE WHEN a.status = 'refused' THEN '["批量数据"]' ELSE '[]' END::jsonb,
                      CASE WHEN a.status <> 'decision' THEN a.updated_at::date END,
                      CASE WHEN a.status <> 'decision' THEN a.updated_at END,
                      '', '', NULL, a.id, c.id, CASE WHEN a.status <> 'decision' THEN %(manager)s END,
                      a.enterprise_id, %(manager)s
               FROM applications_application a
               LEFT JOIN certificates_certificate c ON c.application_id = a.id
               WHERE a.id >= %(app0)s AND a.status IN ('certified', 'decision', 'refused')""",
            {"manager": self.manager, "app0": self.app0},
        )

    # --- audits and nonconformities ---------------------------------------------------------------------
    def audits(self):
        s = self.s
        statuses = ["passed"] * 7 + ["planning", "dates_proposed", "scheduled", "notified", "in_progress",
                                      "corrections", "cancelled"]  # fmt: skip
        # j < C: the initial audit of certificate j's application (a special audit for a legacy certificate);
        # j >= C: surveillance audits of certificate j mod C, windows 1 and 2.
        self.sql(
            """INSERT INTO audits_audit (id, reference, audit_type, status, days, first_day, last_day, special_reason,
                      objectives, created_at, notice_sent_on, started_at, closed_at, passed_at, cancelled_at,
                      cancel_reason, application_id, created_by_id, enterprise_id, scheme_version_id, passed_on_plan,
                      certificate_id, surveillance_window)
               SELECT %(aud0)s + j, 'SH-B-' || lpad(j::text, 8, '0'),
                      CASE WHEN j >= %(C)s THEN 'surveillance' WHEN k %% 10 = 9 THEN 'special' ELSE 'initial' END,
                      CASE WHEN j < %(C)s THEN 'passed' ELSE (%(statuses)s::text[])[1 + (j * 31) %% %(n)s] END,
                      jsonb_build_array(to_char(d, 'YYYY-MM-DD'), to_char(d + 1, 'YYYY-MM-DD')), d, d + 1,
                      CASE WHEN k %% 10 = 9 AND j < %(C)s THEN '批量数据' ELSE '' END, '批量数据',
                      d - 30, d - 10, d, d + 1, d + 20, NULL, '',
                      CASE WHEN j < %(C)s AND k %% 10 <> 9 THEN %(app0)s + k END, %(admin)s, c.enterprise_id,
                      %(scheme)s, '[]', CASE WHEN j >= %(C)s OR k %% 10 = 9 THEN c.id END,
                      CASE WHEN j >= %(C)s THEN j / %(C)s END
               FROM generate_series(0, %(A)s - 1) j
               CROSS JOIN LATERAL (SELECT j %% %(C)s AS k) kk
               JOIN certificates_certificate c ON c.id = %(cert0)s + kk.k
               CROSS JOIN LATERAL (SELECT CASE WHEN j < %(C)s THEN c.issued_on - 40
                                              ELSE c.issued_on + 300 * (j / %(C)s) END AS d) dd""",
            {"aud0": self.aud0, "C": s.certificates, "statuses": statuses, "n": len(statuses), "app0": self.app0,
             "admin": self.admin, "scheme": self.scheme, "A": s.audits, "cert0": self.cert0},
        )  # fmt: skip
        states = ["verified"] * 16 + ["open", "action_submitted", "returned", "plan_accepted"]
        self.sql(
            """INSERT INTO reviews_nonconformity (id, stage, number, item_id, grade, description, raised_at,
                      reported_on, due_date, state, verified_at, closed_reason, application_id, raised_by_id,
                      review_id, verified_by_id, audit_id, due_provisional, certificate_id)
               SELECT %(nc0)s + i, CASE WHEN a.application_id IS NULL THEN 'surveillance' ELSE 'onsite_audit' END,
                      'NC-B' || lpad(i::text, 9, '0'), (%(items)s::text[])[1 + i %% %(ni)s],
                      CASE WHEN i %% 10 = 3 THEN 'major' ELSE 'minor' END, '批量数据：不符合事实',
                      a.first_day::timestamptz, a.last_day,
                      CASE WHEN st.state = 'verified' THEN a.last_day + 30
                           WHEN i %% 7 = 0 THEN current_date - 1 - i %% 20 ELSE current_date + 5 + i %% 60 END,
                      st.state, CASE WHEN st.state = 'verified' THEN a.last_day + 20 END, '',
                      a.application_id, %(lead)s, NULL, CASE WHEN st.state = 'verified' THEN %(lead)s END, a.id, false,
                      a.certificate_id
               FROM generate_series(0, %(N)s - 1) i
               JOIN audits_audit a ON a.id = %(aud0)s + i %% %(A)s
               CROSS JOIN LATERAL (SELECT CASE WHEN a.status = 'passed' THEN 'verified'
                                   ELSE (%(states)s::text[])[1 + (i * 13) %% %(ns)s] END AS state) st""",
            {"nc0": self.nc0, "items": self.items, "ni": len(self.items), "lead": self.lead, "N": s.nonconformities,
             "aud0": self.aud0, "A": s.audits, "states": states, "ns": len(states)},
        )  # fmt: skip

    # --- surveys -----------------------------------------------------------------------------------------
    def surveys(self):
        s = self.s
        # Django's foreign keys are deferred. From here on every referenced row exists: checked at once,
        # no trigger event is pending when an index is rebuilt inside this transaction.
        self.sql("SET CONSTRAINTS ALL IMMEDIATE")
        closed = ["passed"] * 9 + ["improvement_accepted"]
        inflight_status = {
            "onsite_audit": "open",
            "onsite_corrections": "drawn",
            "onsite_audit_passed": "passed",
            "decision": "passed",
            "refused": "improvement_required",
            "document_review_passed": "collecting",
            "document_corrections": "improvement_submitted",
        }
        self.sql(
            """INSERT INTO surveys_survey (id, round, status, created_at, seed, frame_sha256, population, sample_size,
                      drawn_at, opened_at, closes_on, closed_at, result_answered, result_satisfied, result_passed,
                      application_id, closed_by_id, created_by_id, drawn_by_id, enterprise_id, previous_id,
                      scheme_version_id)
               SELECT %(srv0)s + row_number() OVER (ORDER BY a.id) - 1, 1,
                      CASE WHEN a.status = 'certified' THEN (%(closed)s::text[])[1 + a.id %% 10]
                           ELSE (%(inflight)s::jsonb) ->> a.status END,
                      a.submitted_at + interval '30 days', 'bench-' || a.id, md5(a.id::text) || md5(a.reference),
                      NULL, NULL, a.submitted_at + interval '31 days', a.submitted_at + interval '32 days',
                      (a.submitted_at + interval '60 days')::date, NULL, NULL, NULL, NULL,
                      a.id, NULL, %(manager)s, %(manager)s, a.enterprise_id, NULL, %(scheme)s
               FROM applications_application a
               WHERE a.id >= %(app0)s AND (a.status = 'certified' OR a.status = ANY(%(keys)s))""",
            {"srv0": self.srv0, "closed": closed, "inflight": json.dumps(inflight_status), "manager": self.manager,
             "scheme": self.scheme, "app0": self.app0, "keys": list(inflight_status)},
        )  # fmt: skip
        # The big survey: the first one, kept open so its result is computed live; the rest share the others.
        self.big = self.srv0
        self.sql("UPDATE surveys_survey SET status = 'open' WHERE id = %s", [self.big])
        answering = [
            r[0]
            for r in self.cur.execute(
                "SELECT id FROM surveys_survey WHERE id > %s AND status NOT IN ('collecting', 'drawn') ORDER BY id",
                [self.big],
            ).fetchall()
        ]
        self.sql("CREATE TEMP TABLE bench_answering (n int PRIMARY KEY, survey_id bigint)")
        with self.cur.copy("COPY bench_answering (n, survey_id) FROM STDIN") as copy:
            out = CopyBuffer(copy)
            for n, pk in enumerate(answering):
                out.row((n, pk))
            out.flush()
        unanswered = s.big_survey // 5
        total = s.responses + unanswered
        # Customer i ↔ invitation i; responses for all but the big survey's `unanswered` tail.
        self.sql(
            """CREATE TEMP TABLE bench_people AS
               SELECT i, CASE WHEN i < %(big)s + %(un)s THEN %(bigid)s
                              ELSE (SELECT survey_id FROM bench_answering WHERE n = (i - %(big)s - %(un)s) %% %(na)s)
                         END AS survey_id
               FROM generate_series(0, %(T)s - 1) i""",
            {"big": s.big_survey, "un": unanswered, "bigid": self.big, "na": len(answering), "T": total},
        )
        cats = ["custom_furniture", "custom_apparel", "custom_electronic_accessories"]
        with (
            without_indexes(self.cur, "surveys_customer"),
            without_indexes(self.cur, "surveys_invitation"),
            without_indexes(self.cur, "surveys_response"),
            without_indexes(self.cur, "surveys_rating"),
        ):
            self.survey_people(cats, unanswered)
        self.survey_results()

    def survey_people(self, cats, unanswered):
        s = self.s
        self.sql(
            """INSERT INTO surveys_customer (id, name, phone, email, category, order_id, order_date, delivery_date,
                      source_rows, other_order_ids, survey_id)
               SELECT %(cus0)s + i, '客户' || i, '139' || lpad(i::text, 8, '0'), 'c' || i || '@mail.example',
                      (%(cats)s::text[])[1 + i %% 3], 'ORD-' || i, date '2025-06-01' + i %% 300,
                      date '2025-07-01' + i %% 300, jsonb_build_array(i %% 100000 + 2), '[]', survey_id
               FROM bench_people""",
            {"cus0": self.cus0, "cats": cats},
        )
        self.sql(
            """INSERT INTO surveys_invitation (id, stratum, draw_order, token_hash, expires_at, sent_at, used_at,
                      customer_id, survey_id)
               SELECT %(inv0)s + i, (%(cats)s::text[])[1 + i %% 3], i, md5('bench' || i) || md5('token' || i),
                      now() + interval '14 days', now() - interval '20 days',
                      CASE WHEN NOT (i >= %(big)s AND i < %(big)s + %(un)s) THEN now() - interval '10 days' END,
                      %(cus0)s + i, survey_id
               FROM bench_people""",
            {"inv0": self.inv0, "cats": cats, "big": s.big_survey, "un": unanswered, "cus0": self.cus0},
        )
        self.sql(
            """INSERT INTO surveys_response (id, channel, submitted_at, overall, comment, client_address, user_agent,
                      invitation_id, recorded_by_id, survey_id)
               SELECT %(rsp0)s + i, CASE WHEN i %% 10 = 0 THEN 'phone_callback' ELSE 'questionnaire' END,
                      now() - interval '10 days' + i * interval '1 millisecond',
                      CASE WHEN i %% 20 = 0 THEN NULL ELSE 3 + (i * 7) %% 3 END, '', '10.0.0.1', 'bench',
                      %(inv0)s + i, CASE WHEN i %% 10 = 0 THEN %(clerk)s END, survey_id
               FROM bench_people WHERE NOT (i >= %(big)s AND i < %(big)s + %(un)s)""",
            {"rsp0": self.rsp0, "inv0": self.inv0, "clerk": self.users["clerk@olis-cert.example"],
             "big": s.big_survey, "un": unanswered},
        )  # fmt: skip
        # Five dimensions per answer; about 87 % rate 4 or 5, so results straddle the 80 % threshold.
        self.sql(
            """INSERT INTO surveys_rating (dimension, value, response_id)
               SELECT d.code, CASE WHEN v < 2 THEN 1 WHEN v < 5 THEN 2 WHEN v < 13 THEN 3 WHEN v < 50 THEN 4 ELSE 5 END,
                      r.id
               FROM surveys_response r
               CROSS JOIN (VALUES ('product_quality', 1), ('design_rationality', 2), ('service_attitude', 3),
                                  ('response_timeliness', 4), ('problem_resolution', 5)) d(code, n)
               CROSS JOIN LATERAL (SELECT ((r.id * 7919 + d.n * 104729 + r.survey_id * 31) %% 100)::int AS v) vv
               WHERE r.id >= %(rsp0)s AND NOT (d.n = 5 AND r.id %% 17 = 0)""",
            {"rsp0": self.rsp0},
        )

    def survey_results(self):
        # Closed surveys carry the counts frozen at closing, as the close service writes them.
        self.sql(
            """UPDATE surveys_survey s SET population = x.people, sample_size = x.people,
                      closed_at = CASE WHEN s.status NOT IN ('open', 'drawn', 'collecting') THEN s.opened_at + interval
                                  '20 days' END,
                      closed_by_id = CASE WHEN s.status NOT IN ('open', 'drawn', 'collecting') THEN %(manager)s END,
                      result_answered = CASE WHEN s.status NOT IN ('open', 'drawn', 'collecting') THEN x.answered END,
                      result_satisfied = CASE WHEN s.status NOT IN ('open', 'drawn', 'collecting') THEN x.satisfied END,
                      result_passed = CASE WHEN s.status NOT IN ('open', 'drawn', 'collecting')
                                           THEN x.satisfied * 5 >= x.answered * 4 END
               FROM (SELECT p.survey_id, count(DISTINCT p.i) AS people, count(g.value) AS answered,
                            count(g.value) FILTER (WHERE g.value >= 4) AS satisfied
                     FROM bench_people p
                     LEFT JOIN surveys_rating g ON g.response_id = %(rsp0)s + p.i
                     GROUP BY p.survey_id) x
               WHERE s.id = x.survey_id""",
            {"manager": self.manager, "rsp0": self.rsp0},
        )

    # --- events ------------------------------------------------------------------------------------------
    def event_stream(self, count: int):
        """(action, target_type, target_id, after) for `count` events drawn from the objects just built."""
        s = self.s
        kinds = []
        for k in range(s.certificates):
            kinds.append(("certificate.issued", "certificates.certificate", self.cert0 + k))
        n = len(kinds)
        yield from kinds
        del kinds
        rounds = [
            ("application.created", "applications.application", self.app0, s.certificates),
            ("application.submit", "applications.application", self.app0, s.certificates),
            ("application.accept", "applications.application", self.app0, s.certificates),
            ("audit.created", "audits.audit", self.aud0, s.audits),
            ("audit.closed", "audits.audit", self.aud0, s.audits),
            ("nonconformity.raised", "reviews.nonconformity", self.nc0, s.nonconformities),
            ("survey.answered", "surveys.response", self.rsp0, s.responses),
        ]
        for action, target, base, many in rounds:
            for i in range(many):
                if n >= count:
                    return
                yield (action, target, base + i)
                n += 1
        i = 0
        while n < count:
            yield ("audit.finding_recorded", "audits.audit", self.aud0 + i % s.audits)
            i += 1
            n += 1

    def events(self):
        from certflow.core.events.chain import entry_hash

        head_seq, head_hash = self.cur.execute("SELECT seq, hash FROM events_chainhead WHERE id = 1").fetchone()
        ev0 = self.one("SELECT coalesce(max(id), 0) + 1 FROM events_event")
        count = self.s.events - head_seq
        start = datetime(2023, 1, 1, tzinfo=UTC)
        step = (datetime(2026, 11, 1, tzinfo=UTC) - start) / max(count, 1)
        label = "system"
        prev = head_hash
        seq = head_seq
        with (
            without_indexes(self.cur, "events_event"),
            self.cur.copy(
                "COPY events_event (id, seq, occurred_at, actor_label, action, target_type, target_id, before, after,"
                " reason, prev_hash, hash, actor_id) FROM STDIN"
            ) as copy,
        ):
            out = CopyBuffer(copy)
            write = out.buf.write
            for n, (action, target_type, target_id) in enumerate(self.event_stream(count)):
                seq += 1
                at = start + step * n
                at = at.replace(microsecond=at.microsecond)  # stored and hashed at microsecond precision
                after = {"bench": True, "n": n}
                fields = {
                    "seq": seq,
                    "occurred_at": at,
                    "actor_id": None,
                    "actor_label": label,
                    "action": action,
                    "target_type": target_type,
                    "target_id": str(target_id),
                    "before": None,
                    "after": after,
                    "reason": "",
                    "prev_hash": prev,
                }
                digest = entry_hash(fields)
                # Hand-made COPY line: none of these values holds a tab, newline or backslash.
                write(
                    f"{ev0 + n}\t{seq}\t{at.isoformat()}\t{label}\t{action}\t{target_type}\t{target_id}\t\\N\t"
                    f'{{"bench": true, "n": {n}}}\t\t{prev}\t{digest}\t\\N\n'
                )
                if n % 20000 == 0:
                    out.flush_if_big()
                prev = digest
            out.flush()
        self.sql("UPDATE events_chainhead SET seq = %s, hash = %s WHERE id = 1", [seq, prev])

    def finish(self):
        for table in ("accounts_enterprise", "applications_application", "certificates_certificate", "audits_audit",
                      "reviews_nonconformity", "reviews_documentreview", "decisions_decision", "surveys_survey",
                      "surveys_customer", "surveys_invitation", "surveys_response", "surveys_rating",
                      "events_event", "certificates_certificatestatuschange"):  # fmt: skip
            self.sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )


def build(size_name: str, *, demo_full: bool | None = None) -> dict:
    """Create the database from scratch. Returns the timings and the resulting sizes."""
    import psycopg

    size = SIZES[size_name]
    name = DATABASES[size_name]
    took: dict[str, float] = {}
    print(f"building {name} ({size_name})", flush=True)
    total = time.perf_counter()
    with timed("create database", took):
        recreate_database(name)
    with timed("certflow migrate", took):
        run([CERTFLOW, "migrate", "--noinput", "-v", "0"], size_name)
    with timed("certflow scheme sync", took):
        run([CERTFLOW, "scheme", "sync"], size_name, stdout=subprocess_devnull())
    full = demo_full if demo_full is not None else size_name == "large"
    with timed("certflow demo" if full else "demo staff (accounts step)", took):
        if full:
            run([CERTFLOW, "demo"], size_name, stdout=subprocess_devnull())
        else:
            # The small set is built inside CI's 90 s: only the staff users the pages are measured with.
            run([sys.executable, str(Path(__file__).parent / "demo_staff.py"), size_name], size_name)
    setup_django(size_name)
    with psycopg.connect(PG + name) as conn:
        b = Builder(size, conn)
        b.start_ids()
        for step in ("enterprises", "certificates", "applications", "audits", "surveys", "events", "finish"):
            with timed(f"bulk: {step}", took):
                getattr(b, step)()
        conn.commit()
    with timed("surveillance: next obligations", took):
        # Certificates written by COPY sent no save signal: their next obligation is computed the way the
        # product fills a missing one (decisions SV11).
        from django.db import connections

        from certflow.surveillance.programme_state import fill_missing

        fill_missing()
        # bench/run builds in its own process and goes on for an hour: no session left open on the set
        # (the sweep copies the database, which needs it without sessions).
        connections.close_all()
    with psycopg.connect(PG + name, autocommit=True) as conn:
        with timed("VACUUM ANALYZE", took):
            conn.execute("VACUUM ANALYZE")
        db_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in (
                "accounts_enterprise",
                "certificates_certificate",
                "audits_audit",
                "reviews_nonconformity",
                "surveys_response",
                "surveys_rating",
                "events_event",
                "applications_application",
            )  # fmt: skip
        }
        statuses = dict(conn.execute("SELECT status, count(*) FROM certificates_certificate GROUP BY 1").fetchall())
    took["total"] = time.perf_counter() - total
    print(f"  built in {took['total']:.1f} s, {db_bytes / 2**20:.0f} MB", flush=True)
    return {"timings": took, "db_bytes": db_bytes, "counts": counts, "cert_statuses": statuses}


def subprocess_devnull():
    import subprocess

    return subprocess.DEVNULL


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--full-demo", action="store_true")
    parser.add_argument("--staff-only", action="store_true")
    args = parser.parse_args()
    result = build(args.size, demo_full=True if args.full_demo else (False if args.staff_only else None))
    from bench.common import var_dir

    (var_dir(args.size) / "build.json").write_text(json.dumps(result, default=str, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "timings"}, indent=1, default=str))

"""bench/RESULTS.md from the parts' JSON: every figure with its target and PASS / MISS."""

import json
from pathlib import Path

FIXES = Path(__file__).with_name("fixes.json")


def verdict(ok) -> str:
    if ok is None:
        return "—"
    return "PASS" if ok else "**MISS**"


def fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def crashed(data) -> bool:
    return not data or "error" in data


def write(results: dict, path: Path) -> None:
    m = results["machine"]
    lines = [
        f"# certflow benchmarks ({results['size']} set)",
        "",
        "Produced by `bench/run --size " + results["size"] + "`; every figure is measured by it. A part run again"
        " alone (`--only`) replaces its earlier figures; each part's time and load are listed below.",
        "",
        "| machine | |",
        "| --- | --- |",
        f"| date | {m['date']} |",
        f"| commit | {m['commit']} |",
        f"| CPU | {m['cpu']} × {m['nproc']} (nproc) |",
        f"| RAM | {m['ram_gb']} GB |",
        f"| PostgreSQL | {m['postgresql']} |",
        f"| Python | {m['python']} |",
        "",
        "The load average (1, 5, 15 min) when each part of the last run started (the machine may be shared with"
        " other work; a load test's own server and wrk raise it during that part):",
        "",
        "| part | load average |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {v} |" for k, v in results.get("load", {}).items()]
    earlier = [(k, v) for k, v in results.items() if isinstance(v, dict) and v.get("measured_at")]
    if earlier:
        lines += ["", "Each part's own time and load average at its end:", "", "| part | measured | load average |",
                  "| --- | --- | --- |"]  # fmt: skip
        lines += [f"| {k} | {v['measured_at']} | {v.get('load_average')} |" for k, v in earlier]
    lines += [""]

    b = results.get("build")
    if b:
        lines += ["## Data set", ""]
        if "error" in b:
            lines += [f"Build CRASHED: `{b['error']}`", ""]
        else:
            t = b.get("timings", {})
            reused = " (built earlier by the same generator; reused)" if b.get("reused") else ""
            lines += [
                f"Built in **{fmt(t.get('total'), 0)} s**{reused}; database size **{b['db_bytes'] / 2**20:,.0f} MB**."
                " Target: minutes, not hours.",
                "",
                "| rows | count |",
                "| --- | --- |",
            ]
            lines += [f"| {k} | {fmt(v)} |" for k, v in b["counts"].items()]
            lines += ["", "Certificates by status: " + ", ".join(f"{k} {v:,}" for k, v in b["cert_statuses"].items()),
                      "", "| build step | s |", "| --- | --- |"]  # fmt: skip
            lines += [f"| {k} | {fmt(v)} |" for k, v in t.items()]
            lines += [""]
    v = results.get("verify-log")
    if v:
        lines += [
            f"`certflow verify-log` on the generated set: {verdict(v['ok'])} in {fmt(v['s'])} s — "
            f"{v['output'].splitlines()[0] if v['output'] else ''}",
            "",
        ]

    lt = results.get("public verification")
    if lt is not None:
        lines += ["## Public verification under load", ""]
        if crashed(lt):
            lines += [f"CRASHED: `{lt.get('error')}`", ""]
        else:
            lines += [
                f"`certflow serve` (gunicorn gthread, {lt['workers']} workers × {lt['threads']} threads, the"
                " product's defaults) on PostgreSQL; load from **wrk** (`/usr/bin/wrk`, 2 threads) on loopback,"
                f" {lt['seconds']} s per cell, on the same 2 cores as the server and the database. The baseline is"
                " `/bench/constant/`: the same server, middleware and workers, a view that returns a constant"
                " JSON body without touching the database or a template (`/healthz` runs `SELECT 1`, so it is"
                " listed but is not the baseline). Targets: lookups ≥ 0.7 × the baseline's requests/s;"
                " p99 < 50 ms at 32 clients.",
                "",
                "| endpoint | clients | req/s | ratio to constant | p50 ms | p90 ms | p99 ms | non-2xx | ratio ≥ 0.7"
                " | p99 < 50 ms |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            ]
            base = lt["endpoints"].get("constant", {})
            for label, cells in lt["endpoints"].items():
                for clients, r in cells.items():
                    ratio = r["rps"] / base[clients]["rps"] if base.get(clients) else None
                    lookup = label not in ("constant", "healthz (SELECT 1)")
                    if r["requests"] == 0:
                        lines.append(
                            f"| {label} | {clients} | 0 (no request completed) | — | — | — | — | — |"
                            f" {verdict(False) if lookup else '—'} | {verdict(False) if lookup else '—'} |"
                        )
                        continue
                    lines.append(
                        f"| {label} | {clients} | {fmt(r['rps'], 0)} | {fmt(ratio, 2)} | {fmt(r['p50_ms'])} |"
                        f" {fmt(r['p90_ms'])} | {fmt(r['p99_ms'])} | {r['non_2xx']} |"
                        f" {verdict(ratio >= 0.7) if lookup and ratio is not None else '—'} |"
                        f" {verdict(r['p99_ms'] < 50) if lookup and clients == '32' else '—'} |"
                    )
            sc = lt.get("status_change", {})
            sus, res = sc.get("suspend_visible_s"), sc.get("restore_visible_s")
            lines += [
                "",
                f"Status change (certificate {sc.get('number')}, suspended through `certificate_suspend` while the"
                " API is under the 32-client load, then restored): visible on `GET /api/v1/public/certificates/"
                f"{{number}}` after **{fmt(sus, 3)} s** (suspend) and **{fmt(res, 3)} s** (restore), measured from"
                f" the service's commit to the first answer showing it. Target < 1 s: "
                f"{verdict(sus is not None and res is not None and sus < 1 and res < 1)}.",
                "",
            ]

    small, large = results.get("staff pages (500)"), results.get("staff pages (50,000)")
    if small is not None:
        lines += ["## Staff pages at scale", ""]
        lines += [
            "Django test client, logged in with `force_login` (and a passed second factor) as the staff member of"
            " each page; median of the timed runs after one warm-up; queries counted with"
            " `CaptureQueriesContext`. Target: the same query count and a latency ratio ≤ 1.5.",
            "",
        ]
        if crashed(small) or (large is not None and crashed(large)):
            lines += [f"CRASHED: `{(small or {}).get('error') or (large or {}).get('error')}`", ""]
        elif large is None:
            lines += ["| page | certificates | queries | median ms |", "| --- | --- | --- | --- |"]
            for label, p in small["pages"].items():
                lines.append(f"| {label} | {small['certificates']:,} | {p['queries']} | {fmt(p['median_ms'])} |")
            lines += ["", "The 50,000 side and the ratio are measured by the large run only.", ""]
        else:
            lines += [
                f"| page | queries at {small['certificates']:,} | at {large['certificates']:,} | median ms at"
                f" {small['certificates']:,} | at {large['certificates']:,} | ratio | same queries | ratio ≤ 1.5 |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |",
            ]
            for label, p in small["pages"].items():
                q = large["pages"].get(label)
                if q is None:
                    lines.append(f"| {label} | {p['queries']} | — | {fmt(p['median_ms'])} | — | — | — | — |")
                    continue
                ratio = q["median_ms"] / p["median_ms"]
                lines.append(
                    f"| {label} | {p['queries']} | {q['queries']} | {fmt(p['median_ms'])} | {fmt(q['median_ms'])} |"
                    f" {fmt(ratio, 2)} | {verdict(p['queries'] == q['queries'])} | {verdict(ratio <= 1.5)} |"
                )
            lines += [""]

    st = results.get("survey statistics")
    if st is not None:
        lines += ["## Survey statistics (computed in the database)", ""]
        if crashed(st):
            lines += [f"CRASHED: `{st.get('error')}`", ""]
        else:
            one, every = st["one survey"], st["all surveys"]
            lines += [
                "| what | responses | ratings | result | Wilson 95 % | ms | queries |",
                "| --- | --- | --- | --- | --- | --- | --- |",
                f"| one survey (`survey_results`) | {one['responses']:,} | {one['answered']:,} |"
                f" {fmt(one['share'] * 100 if one['share'] is not None else None, 2)} % |"
                f" {fmt(one['wilson'][0] * 100, 2)}–{fmt(one['wilson'][1] * 100, 2)} % | {fmt(one['ms'])} |"
                f" {one['queries']} |",
                f"| every survey, all certificates (`tallies_for`) | {every['responses']:,} | {every['ratings']:,} |"
                f" {fmt(every['share'] * 100 if every['share'] is not None else None, 2)} % |"
                f" {fmt(every['wilson'][0] * 100, 2)}–{fmt(every['wilson'][1] * 100, 2)} % | {fmt(every['ms'])} |"
                f" {every['queries']} |",
                "",
                f"Grouped counts come back from PostgreSQL ({every['surveys']:,} surveys in {every['queries']}"
                " queries); Python only adds up the groups and computes the interval.",
                "",
            ]

    sw = results.get("daily sweep")
    if sw is not None:
        lines += ["## Daily sweep (`certflow tick`)", ""]
        if crashed(sw):
            lines += [f"CRASHED: `{sw.get('error')}`", ""]
        else:
            first, second, nxt = sw["first run"], sw["second run"], sw.get("next day")
            if nxt is not None and "day" not in nxt:  # saved by an older sweep.py: measured differently
                nxt = None
            quiet = second["updated"] == 0 and second["deleted"] == 0 and not second["row counts changed"]
            quiet = quiet and second["events"] == 0
            lines += [
                "The first two runs go through `call_command('tick')` in one transaction rolled back at the end"
                " (the database stays as generated, so every bench run sweeps the same day's work). Writes are"
                " PostgreSQL's per-transaction tuple counts.",
                "",
                "| run | s | inserted | updated | deleted | events | target | |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |",
                f"| first | {fmt(first['s'], 2)} | {first['inserted']:,} | {first['updated']:,} |"
                f" {first['deleted']:,} | {first['events']:,} | < 10 s | {verdict(first['s'] < 10)} |",
                f"| second | {fmt(second['s'], 2)} | {second['inserted']:,} | {second['updated']:,} |"
                f" {second['deleted']:,} | {second['events']:,} | no writes | {verdict(quiet)} |",
            ]
            if nxt is not None:
                lines += [
                    f"| next day ({nxt['day']}) | {fmt(nxt['s'], 2)} | — | — | — | — | < 10 s |"
                    f" {verdict(nxt['s'] < 10)} |",
                ]
            lines += [
                "",
                "The first run catches up everything the generated set has accumulated (it has no tick history)."
                " The next day is a deployment's ordinary day: measured on a copy of the database with the"
                " catch-up committed"
                + (f" ({fmt(nxt['catch-up committed s'], 0)} s there)" if nxt is not None else "")
                + " and VACUUM ANALYZE run, as `certflow tick --date` (the time includes the command's start-up).",
                "",
                "The second run's inserts are the once-per-day guard's refused `TickRun` rows (unique day + step):"
                f" row counts changed by the second run: {second['row counts changed'] or 'none'}.",
                "",
                "First run: " + "; ".join(line.strip() for line in first["report"][1:-1]),
                "",
            ]
            if nxt is not None:
                lines += ["Next day: " + "; ".join(line.strip() for line in nxt["report"][1:-1]), ""]

    imp_c, imp_l = results.get("customer list import"), results.get("legacy import")
    if imp_c is not None or imp_l is not None:
        lines += ["## Imports", "", "Each import in its own process through its service, in a transaction rolled"
                  " back at the end; peak = the process's `ru_maxrss`. Target: peak < 500 MB.", ""]  # fmt: skip
        if imp_c is not None:
            if crashed(imp_c):
                lines += [f"Customer list: CRASHED: `{imp_c.get('error')}`", ""]
            else:
                lines += [
                    f"- Customer list (`list_upload`, inline): {imp_c['rows_in_file']:,} rows"
                    f" ({fmt(imp_c['file_mb'])} MB CSV) → {imp_c['state']}, {imp_c['customers']:,} customers in"
                    f" **{fmt(imp_c['s'])} s**; peak RSS **{fmt(imp_c['peak_rss_mb'], 0)} MB** (process at start"
                    f" {fmt(imp_c['rss_before_mb'], 0)} MB): {verdict(imp_c['peak_rss_mb'] < 500)}.",
                ]
        if imp_l is not None:
            if crashed(imp_l):
                lines += [f"- Legacy certificates: CRASHED: `{imp_l.get('error')}`"]
            else:
                extrapolated = imp_l["check_rows"] != imp_l["written_rows"]
                lines += [
                    f"- Legacy certificates (`legacy_import`, CERTFLOW_LEGACY_IMPORT_MAX_ROWS raised to the file):"
                    f" checking all {imp_l['check_rows']:,} rows took {fmt(imp_l['check_s'])} s, peak RSS"
                    f" {fmt(imp_l['check_peak_rss_mb'], 0)} MB. Writing {imp_l['written_rows']:,} rows →"
                    f" {imp_l.get('outcome')} in **{fmt(imp_l.get('s'))} s** ({fmt(imp_l.get('rows_per_s'))} rows/s)"
                    + (f"; **extrapolated to {imp_l['rows_in_file']:,} rows: {fmt(imp_l['extrapolated_s'] / 60, 0)}"
                       " min** (not measured end to end: see below)" if extrapolated else "")
                    + f". Peak RSS **{fmt(imp_l['peak_rss_mb'], 0)} MB**: {verdict(imp_l['peak_rss_mb'] < 500)}.",
                ]  # fmt: skip
        lines += [""]

    d = results.get("documents")
    if d is not None:
        lines += ["## Documents", ""]
        if crashed(d):
            lines += [f"CRASHED: `{d.get('error')}`", ""]
        else:
            lines += ["| document | count | first ms | median ms | batch s | per s | KB |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
            for label, r in d.items():
                if not isinstance(r, dict):
                    continue
                lines.append(
                    f"| {label} | {r['count']} | {fmt(r['first_ms'], 0)} | {fmt(r['median_ms'], 0)} |"
                    f" {fmt(r['batch_s'], 2)} | {fmt(r['per_second'], 2)} | {fmt(r['kb'], 0)} |"
                )
            lines += ["", "No target: reported for capacity planning (first = includes font and template loading).",
                      ""]  # fmt: skip

    if FIXES.exists():
        lines += ["## Profiled misses and fixes (before / after)", ""]
        for fix in json.loads(FIXES.read_text()):
            lines += [f"### {fix['title']}", "", fix["text"], ""]
    if results.get("failures"):
        lines += ["## Crashed parts", ""] + [f"- `{f.splitlines()[0]}`" for f in results["failures"]] + [""]
    lines += [f"Total bench time: {results.get('total_s', 0):.0f} s.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")

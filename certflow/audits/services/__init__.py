"""Writes of on-site audits. Planning (dates, team, plan, notice) lives in `planning`; the conduct of the
audit (checklist, findings, closing meeting) in `conduct`. Import the module you need explicitly."""

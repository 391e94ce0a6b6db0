"""System checks: a broken shipped scheme stops `certflow check`, `migrate` and `serve` loudly."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from certflow.core.schemes.errors import SchemeError, SchemeNotFound
from certflow.core.schemes.registry import all_schemes, clear_cache, get_scheme, scheme_dirs, scheme_files


@checks.register("schemes")
def check_shipped_schemes(app_configs=None, **kwargs):
    if not scheme_files():
        dirs = ", ".join(map(str, scheme_dirs())) or "(none)"
        return [
            checks.Error(f"没有认证规范文件 / no scheme files in CERTFLOW['SCHEME_DIRS']: {dirs}", id="schemes.E002")
        ]
    clear_cache()  # a check must look at the files as they are now, not as first loaded
    try:
        all_schemes()
    except SchemeError as exc:
        return [checks.Error(str(p), obj=p.origin or "scheme", id="schemes.E001") for p in exc.problems]
    try:
        get_scheme()
    except SchemeNotFound as exc:
        return [
            checks.Error(
                f"默认认证规范不可用 / default scheme unavailable: {exc}",
                hint=f"CERTFLOW['DEFAULT_SCHEME'] = {settings.CERTFLOW['DEFAULT_SCHEME']!r}",
                id="schemes.E003",
            )
        ]
    return []


@checks.register(checks.Tags.database)
def check_recorded_versions(app_configs=None, databases=None, **kwargs):
    """A shipped file whose (code, version) is recorded with another SHA-256 was edited after publication."""
    if not databases:
        return []
    from certflow.core.schemes.models import SchemeVersion
    from certflow.core.schemes.services import conflict_problem

    try:
        schemes = all_schemes()
    except SchemeError:
        return []  # reported by check_shipped_schemes
    errors = []
    for alias in databases:
        try:
            recorded = {
                (c, v): sha for c, v, sha in SchemeVersion.objects.using(alias).values_list("code", "version", "sha256")
            }
        except DatabaseError:
            continue  # not migrated yet
        for scheme in schemes:
            sha = recorded.get((scheme.code, scheme.version))
            if sha and sha != scheme.sha256:
                problem = conflict_problem(scheme, sha)
                errors.append(checks.Error(f"{problem.zh} / {problem.en}", obj=scheme.origin, id="schemes.E010"))
    return errors

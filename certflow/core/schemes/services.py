"""Recording the scheme versions records are made under. A recorded version never changes."""

import json
from pathlib import Path

from django.db import IntegrityError, transaction

from certflow.core.events.services import record_event
from certflow.core.schemes.entities import Scheme
from certflow.core.schemes.errors import Problem, SchemeError
from certflow.core.schemes.models import SchemeVersion
from certflow.core.schemes.registry import all_schemes, get_scheme


class SchemeVersionConflict(SchemeError):
    """A file now differs from the version already recorded under the same code and version."""


def conflict_problem(scheme: Scheme, recorded_sha: str) -> Problem:
    return Problem(
        (),
        f"{scheme.label} 已按 SHA-256 {recorded_sha[:12]}… 记录，而文件现为 {scheme.sha256[:12]}…："
        "已发布的版本不得修改，修订须作为新版本发布（如 B/0）",
        f"{scheme.label} was recorded with SHA-256 {recorded_sha[:12]}… but the file is now {scheme.sha256[:12]}…: "
        "a published version must not change; publish the revision as a new version (e.g. B/0)",
        origin=scheme.origin,
    )


def scheme_version_for(scheme: Scheme | None = None, *, actor=None) -> SchemeVersion:
    """The recorded row for `scheme` (default: the current default scheme), recording it on first use.

    Raises `SchemeVersionConflict` when the row exists with another SHA-256.
    """
    scheme = scheme or get_scheme()
    row = SchemeVersion.objects.filter(code=scheme.code, version=scheme.version).first()
    if row is None:
        try:
            row = _record(scheme, actor)
        except IntegrityError:
            # Another process recorded it between our read and our insert; compare with theirs.
            row = SchemeVersion.objects.get(code=scheme.code, version=scheme.version)
    if row.sha256 != scheme.sha256:
        raise SchemeVersionConflict([conflict_problem(scheme, row.sha256)], scheme.label)
    return row


def scheme_version_sync(schemes: tuple[Scheme, ...] | None = None, *, actor=None) -> list[tuple[SchemeVersion, bool]]:
    """Record every shipped version not yet recorded; refuse all of it if any recorded one changed."""
    schemes = all_schemes() if schemes is None else schemes
    recorded = {(r.code, r.version): r for r in SchemeVersion.objects.all()}
    conflicts = [
        conflict_problem(s, recorded[(s.code, s.version)].sha256)
        for s in schemes
        if (s.code, s.version) in recorded and recorded[(s.code, s.version)].sha256 != s.sha256
    ]
    if conflicts:
        raise SchemeVersionConflict(conflicts, "scheme sync")
    results = []
    for scheme in schemes:
        existing = recorded.get((scheme.code, scheme.version))
        results.append((existing, False) if existing else (scheme_version_for(scheme, actor=actor), True))
    return results


def _record(scheme: Scheme, actor) -> SchemeVersion:
    with transaction.atomic():
        row = SchemeVersion.objects.create(
            code=scheme.code,
            version=scheme.version,
            title=scheme.title.zh,
            effective_date=scheme.effective,
            sha256=scheme.sha256,
            content=json.loads(scheme.content_json),
            source_name=Path(scheme.origin).name,
        )
        record_event(
            actor=actor,
            action="scheme.version_recorded",
            target=row,
            after={"code": row.code, "version": row.version, "sha256": row.sha256, "file": row.source_name},
        )
    return row

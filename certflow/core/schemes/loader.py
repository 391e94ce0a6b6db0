"""Read a scheme file, check all of it, and hand back an immutable `Scheme` or one `SchemeError`.

Pure: no database, no settings. A file with any problem never half-loads: every problem found
(syntax, shape, meaning) is collected, given its line, and raised together.
"""

import dataclasses
import hashlib
from pathlib import Path

import yaml

from certflow.core.schemes.build import build_scheme
from certflow.core.schemes.entities import Scheme
from certflow.core.schemes.errors import Problem, SchemeError
from certflow.core.schemes.semantics import semantic_problems
from certflow.core.schemes.structure import structure_problems
from certflow.core.schemes.yamlio import duplicate_keys, line_of, parse


def load_scheme(path: str | Path) -> Scheme:
    path = Path(path)
    return load_scheme_text(_read(path), origin=str(path))


def load_scheme_text(text: str | bytes, origin: str = "<text>") -> Scheme:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    data, node = parse(raw, origin)
    problems = find_problems(data, node)
    if problems:
        raise SchemeError([dataclasses.replace(p, origin=origin) for p in problems], origin)
    return build_scheme(data, sha256=hashlib.sha256(raw).hexdigest(), origin=origin)


def scheme_from_content(content: dict, *, sha256: str, origin: str) -> Scheme:
    """Rebuild a scheme from the JSON kept in the database (dates as ISO text), re-validating it."""
    problems = find_problems(content, None)
    if problems:
        raise SchemeError([dataclasses.replace(p, origin=origin) for p in problems], origin)
    return build_scheme(content, sha256=sha256, origin=origin)


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem in the file at `path`; empty when it loads."""
    try:
        load_scheme(path)
    except SchemeError as exc:
        return list(exc.problems)
    return []


def find_problems(data, node: yaml.Node | None) -> list[Problem]:
    if data is None:
        return [Problem((), "文件为空", "the file is empty")]
    problems = duplicate_keys(node) + structure_problems(data)
    if isinstance(data, dict):
        problems += semantic_problems(data, problems)
    located = [dataclasses.replace(p, line=p.line or line_of(node, p.path)) for p in problems]
    return sorted(located, key=lambda p: (p.line is None, p.line or 0))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SchemeError(
            [Problem((), f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}")], str(path)
        ) from exc

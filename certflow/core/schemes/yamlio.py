"""YAML in, plain data out, with the node tree kept so problems can name their line.

The safe loader is used (no Python objects from the file). PyYAML keeps the last of two equal
keys silently; a scheme with a duplicated key is ambiguous, so that is reported as a problem.
"""

from collections.abc import Sequence
from typing import Any

import yaml

from certflow.core.schemes.errors import Problem, SchemeError

Path = Sequence[str | int]


def parse(text: str | bytes, origin: str = "") -> tuple[Any, yaml.Node | None]:
    """The document and its node tree; a `SchemeError` naming line and column on a syntax error."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemeError(
                [Problem((), "文件不是 UTF-8 编码", f"the file is not UTF-8 ({exc.reason} at byte {exc.start})")],
                origin,
            ) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        problem = Problem(
            (),
            f"YAML 语法错误：{reason}",
            f"YAML syntax error: {reason}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        raise SchemeError([problem], origin) from exc
    except yaml.YAMLError as exc:
        raise SchemeError([Problem((), f"YAML 错误：{exc}", f"YAML error: {exc}")], origin) from exc
    finally:
        loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, path: Path) -> int | None:
    """The line of the deepest node on `path` that exists (a missing key points at its parent)."""
    if node is None:
        return None
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def duplicate_keys(node: yaml.Node | None, path: tuple = ()) -> list[Problem]:
    if isinstance(node, yaml.SequenceNode):
        return [p for i, child in enumerate(node.value) for p in duplicate_keys(child, (*path, i))]
    if not isinstance(node, yaml.MappingNode):
        return []
    problems, seen = [], {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name is not None and name in seen:
            problems.append(
                Problem(
                    (*path, name),
                    f"键重复（首次出现在第 {seen[name]} 行）",
                    f"duplicate key (first on line {seen[name]})",
                    line=key.start_mark.line + 1,
                )
            )
        elif name is not None:
            seen[name] = key.start_mark.line + 1
        problems.extend(duplicate_keys(value, (*path, name if name is not None else "?")))
    return problems

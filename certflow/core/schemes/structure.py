"""The shape of a scheme file: which keys exist and what type each holds.

Checked with JSON Schema; each error is turned into a `Problem` that names its path and says
what is wrong in Chinese and English. Meaning across keys (sums, order, references) is
`semantics.py`. Unknown keys are errors, so a misspelt key is caught rather than ignored.
"""

import re
from datetime import date, datetime

from jsonschema import Draft202012Validator, validators

from certflow.core.schemes.entities import DEADLINE_UNITS, DEADLINES, FINDINGS, STAGES
from certflow.core.schemes.errors import Problem

FORMAT = "certflow-scheme/1"
ITEM_ID = r"^\d+(\.\d+)*-\d+$"
CLAUSE = r"^\d+(\.\d+)*$"


def _says(zh: str, en: str) -> dict:
    # A private keyword JSON Schema ignores; `_translate` reads it to word the error.
    return {"x-msg": [zh, en]}


def obj(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


def array(item: dict) -> dict:
    return {"type": "array", "items": item, "minItems": 1}


TEXT = {"type": "string", "minLength": 1, **_says("必须为非空文本", "must be non-empty text")}
SOURCE = {
    "type": "string",
    "minLength": 1,
    **_says(
        "必须写明出处（条款、所依惯例或 default — …）", "must name its source (a clause, a practice, or `default — …`)"
    ),
}
CODE = {
    "type": "string",
    "pattern": r"^[a-z][a-z0-9_]*$",
    **_says("必须为小写英文代码，如 onsite_audit", "must be a lower-case code such as onsite_audit"),
}
POSITIVE = {"type": "integer", "minimum": 1, **_says("必须为正整数", "must be a positive integer")}
NON_NEGATIVE = {"type": "integer", "minimum": 0, **_says("必须为非负整数", "must be a non-negative integer")}
BOOL = {"type": "boolean", **_says("必须为 true 或 false", "must be true or false")}
DATE = {"type": "date", **_says("必须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")}
BILINGUAL = obj({"zh": TEXT, "en": TEXT})
NAMED = obj({"code": CODE, "name": BILINGUAL})
FRACTION = obj({"numerator": NON_NEGATIVE, "denominator": POSITIVE})
THRESHOLD = obj({"numerator": NON_NEGATIVE, "denominator": POSITIVE, "inclusive": BOOL}, {"source": SOURCE})
DEADLINE = obj(
    {"counted_from": CODE, "description": BILINGUAL, "source": SOURCE},
    dict.fromkeys(DEADLINE_UNITS, POSITIVE),
)

CLAUSE_NUMBER = {
    "type": "string",
    "pattern": CLAUSE,
    **_says('条款号须为带引号的文本，如 "4.1"', 'must be quoted text such as "4.1"'),
}

SCHEMA = obj(
    {
        "format": {"const": FORMAT},
        "scheme": obj(
            {
                "code": TEXT,
                "version": {
                    "type": "string",
                    "pattern": r"^[A-Z]/\d+$",
                    **_says("版本须形如 A/0", "must look like A/0"),
                },
                "title": BILINGUAL,
                "issuer": BILINGUAL,
                "published": DATE,
                "effective": DATE,
                "source": SOURCE,
            }
        ),
        "conventions": {"type": "object", "additionalProperties": obj({"zh": TEXT, "en": TEXT, "source": SOURCE})},
        "stages": array(obj({"code": {"enum": list(STAGES)}, "name": BILINGUAL, "source": SOURCE})),
        "clauses": array(obj({"number": CLAUSE_NUMBER, "title": BILINGUAL})),
        "requirements": array(
            obj(
                {
                    "id": {
                        "type": "string",
                        "pattern": ITEM_ID,
                        **_says("编号须形如 4.3.2-1", "must look like 4.3.2-1"),
                    },
                    "clause": CLAUSE_NUMBER,
                    "title": BILINGUAL,
                    "text": TEXT,
                    "stages": array({"enum": list(STAGES)}),
                }
            )
        ),
        "scope": obj(
            {
                "activities": array(NAMED),
                "categories": array(obj({"code": CODE, "name": BILINGUAL, "description_required": BOOL})),
                "service_stages": array(NAMED),
                "exclusion": BILINGUAL,
                "source": SOURCE,
            }
        ),
        "materials": obj({"source": SOURCE, "items": array(NAMED)}),
        "nonconformity_grades": array(obj({"code": {"enum": ["minor", "major"]}, "name": BILINGUAL})),
        "survey": obj(
            {
                "timing": BILINGUAL,
                "methods": array(NAMED),
                "dimensions": array(NAMED),
                "source": SOURCE,
                "scale": obj(
                    {
                        "min": NON_NEGATIVE,
                        "max": POSITIVE,
                        "labels": array(obj({"value": NON_NEGATIVE, "zh": TEXT, "en": TEXT})),
                        "source": SOURCE,
                    }
                ),
                "result": obj(
                    {
                        "method": {"enum": ["top_box_share"]},
                        "satisfied_min_rating": POSITIVE,
                        "zh": TEXT,
                        "en": TEXT,
                        "source": SOURCE,
                    }
                ),
                "pass_threshold": {**THRESHOLD, "required": [*THRESHOLD["required"], "source"]},
                "resurvey": obj({"allowed": BOOL, "source": SOURCE}),
                "sample_size": obj(
                    {
                        "method": {"enum": ["cochran_fpc"]},
                        "confidence": FRACTION,
                        "z": FRACTION,
                        "margin_of_error": FRACTION,
                        "proportion": FRACTION,
                        "floor": POSITIVE,
                        "ceiling": POSITIVE,
                        "source": SOURCE,
                    }
                ),
            }
        ),
        "deadlines": obj(dict.fromkeys(DEADLINES, DEADLINE)),
        "surveillance": obj(
            {
                "per_validity_year": POSITIVE,
                "first_within_months": POSITIVE,
                "window_months_before_anniversary": NON_NEGATIVE,
                "window_months_after_anniversary": NON_NEGATIVE,
                "recertification_audit_counts": BOOL,
                "description": BILINGUAL,
                "source": SOURCE,
            }
        ),
        "transition": obj(
            {
                "application_cutoff": DATE,
                "application_cutoff_inclusive": BOOL,
                "deadline": DATE,
                "deadline_inclusive": BOOL,
                "completion_event": {"enum": ["certification_decision"]},
                "applies_to": array(NAMED),
                "on_missed": BILINGUAL,
                "source": SOURCE,
            }
        ),
        "grading": obj(
            {
                "default": BOOL,
                "label": BILINGUAL,
                "source": SOURCE,
                "max_score": POSITIVE,
                "grades": array(obj({"code": CODE, "name": BILINGUAL, "min_score": NON_NEGATIVE})),
                "finding_factors": obj(dict.fromkeys(FINDINGS, FRACTION)),
                "gates": obj(
                    {
                        "survey_must_pass": BOOL,
                        "open_major_allowed": BOOL,
                        "open_minor_needs_accepted_plan": BOOL,
                        "source": SOURCE,
                    }
                ),
                "weights": {"type": "object", "minProperties": 1, "additionalProperties": POSITIVE},
            }
        ),
        "committee": obj(
            {
                "quorum": POSITIVE,
                "approval": THRESHOLD,
                "exclude_involved_persons": BOOL,
                "description": BILINGUAL,
                "source": SOURCE,
            }
        ),
    }
)


def _is_date(checker, value) -> bool:
    # Files give YAML dates; a version stored as JSON in the database gives ISO strings.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_integer(checker, value) -> bool:
    # JSON Schema counts 3.0 as an integer; a scheme number must be written exactly.
    return isinstance(value, int) and not isinstance(value, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many({"date": _is_date, "integer": _is_integer}),
)
_VALIDATOR = _Validator(SCHEMA)

_TYPES = {
    "object": ("映射（键: 值）", "a mapping (key: value)"),
    "array": ("列表", "a list"),
    "string": ("文本", "text"),
    "integer": ("整数", "an integer"),
    "boolean": ("true 或 false", "true or false"),
    "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
}


def structure_problems(data) -> list[Problem]:
    """Every shape problem in `data`, each once."""
    seen, problems = set(), []
    for error in _VALIDATOR.iter_errors(data):
        for problem in _translate(error):
            if (problem.location, problem.en) not in seen:
                seen.add((problem.location, problem.en))
                problems.append(problem)
    return problems


def _translate(error) -> list[Problem]:
    path = tuple(error.absolute_path)
    kind, schema, instance = error.validator, error.schema, error.instance
    if kind == "required":
        return [Problem((*path, key), "缺少必填项", "is required") for key in schema["required"] if key not in instance]
    if kind == "additionalProperties":
        allowed = ", ".join(schema.get("properties", {}))
        return [
            Problem((*path, key), f"未知的键（可用：{allowed}）", f"unknown key (expected one of: {allowed})")
            for key in instance
            if key not in schema.get("properties", {})
        ]
    where = path
    if "x-msg" in schema:
        zh, en = schema["x-msg"]
        return [Problem(where, zh, en)]
    if kind == "enum":
        options = ", ".join(map(str, schema["enum"]))
        return [Problem(where, f"必须为以下之一：{options}", f"must be one of: {options}")]
    if kind == "const":
        return [Problem(where, f"必须为 {schema['const']}", f"must be {schema['const']}")]
    if kind == "minItems":
        return [Problem(where, "不能为空列表", "must not be empty")]
    if kind == "minProperties":
        return [Problem(where, "不能为空", "must not be empty")]
    if kind == "type":
        zh, en = _TYPES.get(schema["type"], (schema["type"], schema["type"]))
        return [Problem(where, f"类型错误，应为{zh}", f"must be {en}")]
    return [Problem(where, error.message, error.message)]

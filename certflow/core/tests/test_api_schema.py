from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an unresolvable serializer, a guessed type)
    # into a failure, so the schema API clients read stays exact as resources are added.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/enterprises/" in target.read_text()

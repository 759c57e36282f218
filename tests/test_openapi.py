"""The OpenAPI document is true: schemathesis drives the live service from it.

Each operation gets a bounded number of generated requests (valid and invalid);
every answer must be no 5xx, carry a documented status and content type, and
match the documented schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ApiClient

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_answer_matches_the_document(api: ApiClient, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base}/api/openapi.json")

    @given(case=schema.as_strategy(mode))
    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    def answer_is_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(session=api.session, headers=api.headers(), checks=CHECKS)

    answer_is_documented()


def test_document_describes_the_limits_of_this_server(api: ApiClient) -> None:
    document = api.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    article = document["components"]["schemas"]["ArticleIn"]
    assert article["required"] == ["id", "text"]
    assert article["additionalProperties"] is False
    assert article["properties"]["text"]["maxLength"] == 1_000_000
    post = document["paths"]["/api/articles"]["post"]
    assert post["security"] == [{"bearer": []}]
    assert {"200", "202", "401", "413", "422", "429"} <= set(post["responses"])
    assert document["paths"]["/api/articles/{article_id}"]["get"]["security"] == []

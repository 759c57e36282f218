"""The OpenAPI document is true: schemathesis drives the live service from it.

Each operation gets a bounded number of generated requests (valid and invalid);
every answer must be no 5xx, carry a documented status and content type, and
match the documented schema.
"""

from __future__ import annotations

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import WIRE_STORY, ApiClient, server_with
from workers.settings import Settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def drive(api: ApiClient, mode: GenerationMode, examples: int) -> None:
    """Send ``examples`` generated requests from the live document; check every answer."""
    schema = schemathesis.openapi.from_url(f"{api.base}/api/openapi.json")

    @given(case=schema.as_strategy(mode))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    def answer_is_documented(case: schemathesis.Case) -> None:
        case.call_and_validate(session=api.session, headers=api.headers(), checks=CHECKS)

    answer_is_documented()


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_answer_matches_the_document(api: ApiClient, mode: GenerationMode) -> None:
    drive(api, mode, examples=120)


def test_review_endpoint_matches_the_document_when_review_is_on(
    settings: Settings, redis_client: redis.Redis, clean_store: object
) -> None:
    """Review is off in the session's settings (every review answer a 403); on
    here, so its validation and lookups answer too."""
    review_on = {"editor_token": SecretStr("t" * 16), "secret_key": SecretStr("s" * 32)}
    with server_with(settings, redis_client, **review_on) as api:
        assert api.post_article({"id": "reviewed", "text": WIRE_STORY}).status_code == 200
        for mode in GenerationMode:
            drive(api, mode, examples=40)


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

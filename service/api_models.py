"""The API's own answers (beyond the records in workers/models.py), as pydantic
models, so the views build them and the OpenAPI document describes them from
one definition."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

JobState = Literal[
    "created",
    "queued",
    "deferred",
    "scheduled",
    "started",
    "finished",
    "failed",
    "stopped",
    "canceled",
    "unknown",
]


class Problem(BaseModel):
    field: str = Field(description="Dotted path of the offending field, or '(body)'.")
    problem: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: what went wrong, in words."""

    error: str
    problems: list[Problem] | None = Field(
        default=None, description="Each invalid field, on a 422."
    )
    job: str | None = Field(default=None, description="The ingest job, when one was made.")


class JobStatusBody(BaseModel):
    """An ingest job's state (the 202 answer of a POST, and GET /api/jobs/<job>)."""

    job: str
    status: JobState
    article: str | None = None
    origins_url: str | None = Field(default=None, description="Where the origins will be.")
    error: list[str] | None = Field(default=None, description="Why the job failed, if it did.")


class DeletedBody(BaseModel):
    """The answer to a takedown."""

    deleted: str = Field(description="Id of the deleted article.")
    updated: list[str] = Field(
        description="Articles that shared passages with it; their origins no longer list it."
    )


class HealthBody(BaseModel):
    status: Literal["ok"]


class ReadyBody(BaseModel):
    """Readiness: each check's verdict and a word on it."""

    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(description="redis, workers, queue: 'ok' or what is wrong.")

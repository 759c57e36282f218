"""The JSON API: submit an article, read it back, read its origins.

The web process never fingerprints or aligns anything itself: it validates,
enqueues an ``ingest`` job, and waits for the job's result with RQ's blocking
result API (no polling) for up to ``?wait=`` seconds.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import redis
from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.results import Result

from service.api_models import DeletedBody, JobStatusBody
from service.errors import ApiError, validation_problems
from workers.jobs import lifecycle
from workers.jobs.pipeline import ArticleTooLargeError, load_origins
from workers.jobs.queue import enqueue_ingest
from workers.models import ArticleIn, canonical_id
from workers.settings import Settings
from workers.store import Store

blueprint = Blueprint("api", __name__)

MAX_WAIT_SECONDS = 60
JOB_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
# The views' path arguments that name an article.
PATH_IDS = ("article_id", "left_id", "right_id")


@dataclass(frozen=True)
class Services:
    """What the request handlers need, built once by the app factory."""

    settings: Settings
    store: Store
    queue: Queue
    waiter: redis.Redis  # blocks up to MAX_WAIT_SECONDS for job results


def services() -> Services:
    found: Services = current_app.extensions["wiretrace"]
    return found


def _has_lone_surrogate(data: dict[str, Any]) -> bool:
    """JSON may spell half a UTF-16 pair (``"\\ud800"``); such a string cannot be
    stored as UTF-8, so it is refused here rather than failing in the worker."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class DuplicateKeyError(ValueError):
    """A JSON object names a key twice; json.loads would keep the last silently."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKeyError(key)
        found[key] = value
    return found


def parse_json_object(raw: bytes, what: str) -> dict[str, Any]:
    """A request body as one JSON object (``what`` it should describe), or an
    :class:`ApiError` (400) saying why not."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"request body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(body, object_pairs_hook=_unique_keys)
    except DuplicateKeyError as exc:
        raise ApiError(400, f"request body names the key {exc.args[0][:100]!r} twice") from exc
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ApiError(400, f"request body is not usable JSON: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(400, "request body is not usable JSON: nested too deeply") from exc
    if not isinstance(data, dict):
        raise ApiError(400, f"request body must be a JSON object describing {what}")
    if _has_lone_surrogate(data):
        raise ApiError(
            400, "request body has a \\u escape of an unpaired surrogate: not a character"
        )
    return data


def canonical_path_ids(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Ids in paths are looked up as they are stored: in Unicode NFC."""
    for name in PATH_IDS:
        if values and isinstance(values.get(name), str):
            values[name] = canonical_id(values[name])


def parse_article(raw: bytes, settings: Settings) -> ArticleIn:
    """Validate a request body as an article, or raise an :class:`ApiError` saying why."""
    data = parse_json_object(raw, "one article")
    try:
        article = ArticleIn.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        raise ApiError(422, f"invalid article: {summary}", problems=problems) from exc
    if len(article.text) > settings.max_text_chars:
        raise ApiError(
            413, f"text is {len(article.text)} characters; the limit is {settings.max_text_chars}"
        )
    paragraphs = article.text.count("\n\n") + 1
    if paragraphs > settings.max_paragraphs:
        raise ApiError(
            413,
            f"text has about {paragraphs} paragraphs; the limit is {settings.max_paragraphs}",
        )
    return article


def wait_seconds(settings: Settings) -> int:
    raw = request.args.get("wait")
    if raw is None:
        return math.ceil(settings.default_wait_seconds)
    try:
        value = float(raw)
    except ValueError as exc:
        raise ApiError(400, f"wait must be a number of seconds, got {raw!r}") from exc
    if not 0 <= value <= MAX_WAIT_SECONDS:
        raise ApiError(400, f"wait must be between 0 and {MAX_WAIT_SECONDS} seconds")
    return math.ceil(value)


def job_status_body(job: Job) -> dict[str, Any]:
    status = job.get_status(refresh=True)
    article_id = job.args[0]["id"] if job.args else None
    error = None
    if status == JobStatus.FAILED:
        result = job.latest_result()
        error = (result.exc_string or "").strip().splitlines()[-1:] if result else []
    body = JobStatusBody(
        job=job.id,
        status=status.value if status else "unknown",
        article=article_id,
        origins_url=url_for("api.get_origins", article_id=article_id) if article_id else None,
        error=error,
    )
    return body.model_dump(mode="json", exclude_none=True)


def raise_if_failed_for_good(job: Job, result: Result) -> None:
    """Turn a failed ingest into an error answer, unless RQ will retry it."""
    if job.get_status(refresh=True) != JobStatus.FAILED:
        return  # scheduled for another attempt: the caller gets a 202 to poll
    last_line = (result.exc_string or "").strip().splitlines()[-1:] or [""]
    exc_name, _, message = last_line[0].partition(": ")
    if exc_name.endswith(ArticleTooLargeError.__name__):
        raise ApiError(413, message, job=job.id)
    current_app.logger.error("ingest job %s failed: %s", job.id, result.exc_string)
    raise ApiError(500, "ingest failed; the job is in the failed registry", job=job.id)


def read_body(limit: int) -> bytes:
    """The request body, refusing one over ``limit`` bytes, declared or streamed."""
    too_large = ApiError(413, f"request body is larger than the limit of {limit} bytes")
    declared = request.content_length
    if declared is not None and declared > limit:
        raise too_large
    raw = request.get_data(cache=False)
    if declared is None and len(raw) >= limit:
        # The WSGI layer cuts a streamed (chunked) body at the limit rather than
        # refusing it: one that reaches the limit is taken to be over it.
        raise too_large
    return raw


@dataclass(frozen=True)
class Submission:
    """A queued article and, if the worker answered within the wait, its origins."""

    job: Job
    origins: dict[str, Any] | None


def wait_for_result(svc: Services, job: Job, wait: int) -> Result | None:
    """The job's result once there is one, or None after ``wait`` seconds
    (RQ's blocking result API, on a connection whose timeout allows the wait)."""
    waited = Job(job.id, connection=svc.waiter)
    return Result.fetch_latest(waited, timeout=wait) if wait else None


def submit_article(svc: Services, article: ArticleIn, wait: int) -> Submission:
    """Enqueue ``article`` and wait up to ``wait`` seconds for its origins.

    The API's POST and the editor's paste page both submit through here.
    """
    job = enqueue_ingest(svc.queue, article, svc.settings, request_id=g.get("request_id"))
    result = wait_for_result(svc, job, wait)
    if result is not None and result.type == Result.Type.FAILED:
        raise_if_failed_for_good(job, result)
    done = result is not None and result.type == Result.Type.SUCCESSFUL
    return Submission(job, result.return_value if done and result else None)


@blueprint.post("/api/articles")
def post_article() -> ResponseReturnValue:
    """Submit an article; 200 with its origins when ready in time, else 202."""
    svc = services()
    article = parse_article(read_body(svc.settings.max_body_bytes), svc.settings)
    submission = submit_article(svc, article, wait_seconds(svc.settings))
    if submission.origins is not None:
        return jsonify(submission.origins), 200
    body = job_status_body(submission.job)
    location = url_for("api.get_job", job_id=submission.job.id)
    return jsonify(body), 202, {"Location": location}


@blueprint.get("/api/jobs/<job_id>")
def get_job(job_id: str) -> ResponseReturnValue:
    if not JOB_ID_PATTERN.fullmatch(job_id):
        raise ApiError(404, f"no job {job_id!r}: job ids are letters, digits, '-' and '_'")
    try:
        job = Job.fetch(job_id, connection=services().queue.connection)
    except NoSuchJobError as exc:
        raise ApiError(404, f"no job {job_id!r} (finished jobs are kept for a while)") from exc
    return jsonify(job_status_body(job))


@blueprint.get("/api/articles/<article_id>")
def get_article(article_id: str) -> ResponseReturnValue:
    found = services().store.load_article(article_id)
    if found is None:
        raise ApiError(404, f"no article {article_id!r}")
    _, article = found
    return jsonify(article.model_dump(mode="json"))


@blueprint.delete("/api/articles/<article_id>")
def delete_article(article_id: str) -> ResponseReturnValue:
    """Take an article down: text, fingerprints and passages go; others forget it."""
    takedown = lifecycle.delete_article(services().store, article_id)
    if takedown is None:
        raise ApiError(404, f"no article {article_id!r}")
    current_app.logger.info("article %s taken down", article_id)
    body = DeletedBody(deleted=takedown.article_id, updated=takedown.updated)
    return jsonify(body.model_dump(mode="json"))


@blueprint.get("/api/articles/<article_id>/origins")
def get_origins(article_id: str) -> ResponseReturnValue:
    origins = load_origins(services().store, article_id)
    if origins is None:
        raise ApiError(404, f"no article {article_id!r}")
    return jsonify(origins.model_dump(mode="json"))


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})

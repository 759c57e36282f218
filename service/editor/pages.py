"""The editor's pages: near-duplicates, an article, a comparison, a cluster, an
outlet, and a form to paste an article (or its URL) and see its origins.

Every page reads what the store keeps ready (clusters are maintained at
ingest), so none of them scans the index. Pasting an article submits it
through the API's own code path (:func:`service.api.submit_article`); a URL
goes to a worker that fetches it as the crawler would (:mod:`workers.jobs.ingest`).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.results import Result

from service.api import (
    Services,
    Submission,
    job_status_body,
    parse_article,
    services,
    submit_article,
    wait_for_result,
)
from service.editor.auth import PageError, require_editor, signed_in_editor
from service.editor.charts import bars, timeline
from service.editor.listing import SORTS, FilterError, parse_list_args
from service.editor.outlets import outlet_stats
from service.editor.presenters import article_view, compare_view
from service.editor.review import problems_of
from service.errors import ApiError
from workers.fetch.article import url_request
from workers.jobs.pipeline import load_origins
from workers.jobs.queue import enqueue_ingest_url

blueprint = Blueprint("editor", __name__)

OUTLET_CLUSTERS = 1000
PASTE_WAIT_SECONDS = 10


@blueprint.before_request
def _read_access() -> ResponseReturnValue | None:
    """With read pages protected, everyone but a signed-in editor goes to sign in."""
    if services().settings.editor_pages_public or signed_in_editor() is not None:
        return None
    return redirect(url_for("editor_auth.signin", next=request.full_path.rstrip("?")), 303)


@blueprint.get("/")
def near_duplicates() -> ResponseReturnValue:
    """The latest reuse, one row per cluster of near-duplicate passages."""
    store = services().store
    try:
        form = parse_list_args(
            request.args, request.args.getlist("kind"), services().settings.editor_page_size
        )
        total, numbers = store.list_clusters(form.query())
    except FilterError as exc:
        raise PageError(400, str(exc)) from exc
    article = store.lookup(form.q) if form.q and not form.q.startswith("http") else None
    return render_template(
        "editor/list.html",
        form=form,
        rows=store.cluster_rows(numbers),
        total=total,
        pages=max(1, -(-total // form.page_size)),
        sorts=SORTS,
        outlets=store.known_outlets(),
        wires=store.known_wires(),
        article_hit=form.q if article is not None else None,
    )


def load_or_404(article_id: str) -> tuple[int, Any]:
    found = services().store.load_article(article_id)
    if found is None:
        raise PageError(404, f"no article {article_id!r}")
    return found


@blueprint.get("/articles/<article_id>")
def article(article_id: str) -> ResponseReturnValue:
    """The article's text with each reused passage highlighted by source."""
    store = services().store
    number, stored = load_or_404(article_id)
    origins = load_origins(store, article_id)
    if origins is None:
        raise PageError(404, f"no article {article_id!r}")
    return render_template(
        "editor/article.html",
        article=stored,
        origins=origins,
        view=article_view(stored, origins),
        clusters=store.memberships([number])[number],
    )


@blueprint.get("/compare/<left_id>/<right_id>")
def compare(left_id: str, right_id: str) -> ResponseReturnValue:
    """Two articles side by side, their shared passages paired."""
    store = services().store
    left_number, left = load_or_404(left_id)
    right_number, right = load_or_404(right_id)
    passages = store.load_matches(left_number).get(right_number, [])
    origins = load_origins(store, left_id)
    source = next((s for s in origins.sources if s.id == right_id), None) if origins else None
    return render_template(
        "editor/compare.html",
        left=left,
        right=right,
        source=source,
        view=compare_view(left, right, passages),
    )


@blueprint.get("/clusters/<int:cluster>")
def cluster(cluster: int) -> ResponseReturnValue:
    """Every article that ran a passage, on a timeline, the origin marked."""
    members = services().store.cluster_members(cluster)
    if not members:
        raise PageError(404, f"no cluster {cluster}")
    ordered = sorted(members.values(), key=lambda m: (m.time, m.id))
    origin = ordered[0]
    return render_template(
        "editor/cluster.html",
        cluster=cluster,
        members=ordered,
        origin=origin,
        chart=timeline(ordered, origin),
        outlets=len({m.outlet or "" for m in ordered}),
    )


@blueprint.get("/outlets/<path:outlet>")
def outlet(outlet: str) -> ResponseReturnValue:
    """Who the outlet copies from, who copies it, and its most copied passages."""
    clusters = services().store.outlet_clusters(outlet, OUTLET_CLUSTERS)
    if not clusters:
        raise PageError(404, f"no reuse found for outlet {outlet!r}")
    stats = outlet_stats(outlet, clusters)
    return render_template(
        "editor/outlet.html",
        outlet=outlet,
        stats=stats,
        copies_from=bars(stats.copies_from, stats.copying),
        copied_by=bars(stats.copied_by, stats.copied),
        sampled=len(clusters) >= OUTLET_CLUSTERS,
        limit=OUTLET_CLUSTERS,
    )


def form_article(form: Any) -> dict[str, Any]:
    """The paste form as a submission (blank fields left out)."""
    body: dict[str, Any] = {}
    # published_at is a datetime-local field: no zone, which the API takes as UTC.
    for name in ("id", "text", "outlet", "title", "url", "published_at"):
        value = (form.get(name) or "").strip()
        if value:
            body[name] = value
    return body


def submit_text(svc: Services, body: dict[str, Any]) -> tuple[str, Submission]:
    """A pasted text, validated and submitted exactly as the API's POST does."""
    body = {"id": f"pasted-{secrets.token_hex(6)}", "text": "", **body}
    article = parse_article(json.dumps(body).encode("utf-8"), svc.settings)
    return article.id, submit_article(svc, article, PASTE_WAIT_SECONDS)


def failure_message(result: Result) -> str:
    """What went wrong in a failed job, from the last line of its traceback."""
    last = (result.exc_string or "").strip().splitlines()[-1:] or ["unknown error"]
    return last[0].partition(": ")[2] or last[0]


def submit_url(svc: Services, body: dict[str, Any]) -> tuple[str, Submission]:
    """A URL: a worker fetches the page as the crawler would and ingests it."""
    try:
        wanted = url_request(body)
    except ValidationError as exc:
        problems = problems_of(exc)
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        raise ApiError(422, f"invalid submission: {summary}", problems=problems) from exc
    job = enqueue_ingest_url(svc.queue, wanted, svc.settings)
    result = wait_for_result(svc, job, PASTE_WAIT_SECONDS)
    if result is not None and result.type == Result.Type.FAILED:
        raise ApiError(502, f"could not read {wanted.url}: {failure_message(result)}")
    done = result is not None and result.type == Result.Type.SUCCESSFUL
    return wanted.id, Submission(job, result.return_value if done and result else None)


@blueprint.route("/check", methods=["GET", "POST"])
def check() -> ResponseReturnValue:
    """Paste an article or its URL, see its origins: the API's POST, as a form."""
    if request.method == "GET":
        return render_template("editor/check.html", values={}, error=None, problems=[])
    svc = services()
    require_editor()  # every write is authenticated: here by an editor's session
    body = form_article(request.form)
    try:
        if "text" in body or "url" not in body:
            article_id, submission = submit_text(svc, body)
        else:
            article_id, submission = submit_url(svc, body)
    except ApiError as exc:
        values = {k: request.form.get(k, "") for k in request.form}
        problems = exc.detail.get("problems", [])
        return render_template(
            "editor/check.html", values=values, error=exc.message, problems=problems
        ), exc.status
    if submission.origins is not None:
        return redirect(url_for("editor.article", article_id=article_id), 303)
    return render_template(
        "editor/check_wait.html",
        article_id=article_id,
        job_url=url_for("editor.check_job", job_id=submission.job.id),
        submitted=datetime.now(UTC),
    ), 202


@blueprint.get("/check/jobs/<job_id>")
def check_job(job_id: str) -> ResponseReturnValue:
    """The wait page's view of its job, under the pages' access rule (a browser
    has no API key to read ``/api/jobs`` with when reads need one)."""
    try:
        job = Job.fetch(job_id, connection=services().queue.connection)
    except NoSuchJobError as exc:
        raise PageError(404, f"no job {job_id!r} (finished jobs are kept for a while)") from exc
    return jsonify(job_status_body(job))

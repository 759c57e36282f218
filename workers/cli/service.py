"""``wiretrace serve`` (the web service with its workers) and ``wiretrace worker``."""

from __future__ import annotations

import os
import signal
import sys

import click

from workers.cli.stopping import interrupt


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "workers.cli", "worker"]


@click.command()
@click.option("--host", default=None, help="Address to bind (default: WIRETRACE_HOST).")
@click.option("--port", default=None, type=int, help="Port (default: WIRETRACE_PORT).")
@click.option("--workers", "n_workers", default=1, show_default=True, help="Ingest workers.")
def serve(host: str | None, port: int | None, n_workers: int) -> None:
    """Run the web service with its ingest workers (and Redis, if none is configured)."""
    from werkzeug.serving import run_simple

    from service import create_app, first_run
    from workers.jobs.supervisor import Supervisor
    from workers.logs import configure_logging
    from workers.settings import get_settings
    from workers.store.server import resolve_redis_url

    settings = get_settings()
    configure_logging(settings.log_level)  # JSON lines, as the workers' and gunicorn's
    # On the embedded default, a first start makes a local API key and editor token.
    settings, access_notice = first_run.prepare(
        settings, host or settings.host, port or settings.port
    )
    # SIGHUP (the terminal closed) shuts down as cleanly as Ctrl-C and SIGTERM
    # (docker stop, systemd, kill: see workers.cli): the workers, the crawler and
    # the embedded Redis this process started go too. (The workers run in process
    # groups of their own, so the terminal's signals reach them through this
    # process only.)
    signal.signal(signal.SIGHUP, interrupt)
    url, embedded = resolve_redis_url(settings.redis_url, settings.data_dir)
    children = {f"worker {i + 1}": _worker_command() for i in range(n_workers)}
    if settings.outlets_file:  # the crawler too, logging JSON lines among the server's
        children["crawler"] = [sys.executable, "-m", "workers.cli", "crawl", "--json-logs"]
    # Children that die are restarted (workers/jobs/supervisor.py).
    supervisor = Supervisor(children, {**os.environ, "REDIS_URL": url}).start()
    try:
        app = create_app(settings.model_copy(update={"redis_url": url}))
        bind_host, bind_port = host or settings.host, port or settings.port
        click.echo(f"wiretrace on http://{bind_host}:{bind_port}  ({n_workers} worker(s))")
        if access_notice:
            click.echo(access_notice)
        run_simple(bind_host, bind_port, app, threaded=True, use_reloader=False)
    finally:
        # Stopping is not interrupted: a second Ctrl-C (or a supervisor's second
        # SIGTERM) while the workers finish their jobs left the embedded Redis
        # running after the service had gone.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        try:
            supervisor.stop()
        finally:
            if embedded is not None:
                embedded.stop()


@click.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker(burst: bool) -> None:
    """Run one RQ worker on the ingest queue."""
    import workers.jobs.ingest  # noqa: F401  (imported once here, not in every forked job)
    from workers.jobs.worker import run_worker
    from workers.settings import get_settings
    from workers.store import IndexMismatchError

    try:
        run_worker(get_settings(), burst=burst)
    except IndexMismatchError as exc:
        raise click.ClickException(str(exc)) from exc

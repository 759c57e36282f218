"""The store on a real Redis Cluster: three masters on loopback, built with the
redis-server and redis-cli binaries wiretrace ships, the queue staying on the
standalone test Redis (``WIRETRACE_STORE_REDIS_URL`` points at the cluster)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis
import requests
from redis.cluster import RedisCluster, key_slot
from rq import Queue, Worker

from tests.helpers import ApiClient, LiveServer, free_port, start_worker
from workers.bench.corpus import CorpusSpec, generate
from workers.settings import Settings
from workers.store import Store, store_client
from workers.store.server import COMPACT_ENCODINGS, redis_binary

MASTERS = 3


def _free_cluster_port() -> int:
    """A loopback port free for a node and for its cluster bus (port + 10000)."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _wait(condition: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except (redis.ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-master Redis Cluster on loopback; the URL of one of its nodes."""
    root = tmp_path_factory.mktemp("cluster")
    ports = [_free_cluster_port() for _ in range(MASTERS)]
    processes = []
    for port in ports:
        node = root / str(port)
        node.mkdir()
        processes.append(
            subprocess.Popen(
                [
                    redis_binary(),
                    *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(node)),
                    *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
                    *("--save", "", "--appendonly", "no"),
                    *(
                        arg
                        for name, value in COMPACT_ENCODINGS.items()
                        for arg in (f"--{name}", value)
                    ),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port in ports:
            _wait(lambda port=port: redis.Redis(port=port).ping(), f"node {port}")
        cli = Path(redis_binary()).with_name("redis-cli")
        subprocess.run(
            [
                str(cli),
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in ports),
                *("--cluster-replicas", "0", "--cluster-yes"),
            ],
            check=True,
            capture_output=True,
        )
        for port in ports:
            _wait(
                lambda port=port: redis.Redis(port=port).cluster("info")["cluster_state"] == "ok",
                "the cluster to agree",
            )
        yield f"redis://127.0.0.1:{ports[0]}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster_settings(settings: Settings, cluster_url: str) -> Settings:
    return settings.model_copy(
        update={
            "store_redis_url": cluster_url,
            "queue_name": "ingest-cluster",
            "key_prefix": "wtcluster",
        }
    )


@pytest.fixture(scope="module")
def cluster_api(cluster_settings: Settings, redis_client: redis.Redis) -> Iterator[ApiClient]:
    """The service and a worker with the queue on the test Redis, the store on the cluster."""
    worker = start_worker(cluster_settings)
    queue = Queue(cluster_settings.queue_name, connection=redis_client)
    server = LiveServer(cluster_settings, redis_client)
    try:
        _wait(lambda: Worker.count(queue=queue) == 1, "the worker")
        with requests.Session() as session:
            yield ApiClient(server.url, session)
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=30)


def cluster_url_of(settings: Settings) -> str:
    assert settings.store_redis_url
    return settings.store_redis_url


def test_the_store_finds_the_cluster(cluster_settings: Settings, redis_client: redis.Redis) -> None:
    store = Store(redis_client, cluster_settings)
    assert isinstance(store.client, RedisCluster)
    same = store_client(
        cluster_url_of(cluster_settings),
        cluster_settings.redis_socket_timeout,
        cluster_settings.redis_retries,
    )
    assert same is store.client


def test_keys_one_operation_touches_share_a_slot(cluster_settings: Settings) -> None:
    store = Store(redis.Redis(), cluster_settings.model_copy(update={"store_redis_url": None}))
    for n in (1, 77, 123456):
        assert key_slot(store.keys.article(n).encode()) == key_slot(store.keys.matches(n).encode())
    assert key_slot(store.keys.ids().encode()) == key_slot(store.keys.seq().encode())
    slots_of_groups = {
        key_slot(store.keys.bucket(bucket).encode()) for bucket in range(0, 1 << 12, 64)
    }
    assert len(slots_of_groups) == 1  # buckets of one tag group: one script call


def test_ingest_and_origins_on_a_redis_cluster(
    cluster_api: ApiClient, cluster_settings: Settings, cluster_url: str
) -> None:
    articles = [item.record for item in generate(CorpusSpec(seed=4), 40)]
    truth = [
        (pair["id"], pair["source_id"])
        for item in generate(CorpusSpec(seed=4), 40)
        for pair in item.truth
        if pair["kind"] == "copy"
    ]
    assert truth
    for article in articles:
        response = cluster_api.post_article(article)
        assert response.status_code == 200, response.text
    found = set()
    for article in articles:
        response = cluster_api.get(f"/api/articles/{article['id']}/origins")
        assert response.status_code == 200, response.text
        found |= {(article["id"], p["source_id"]) for p in response.json()["passages"]}
    assert set(truth) <= found
    # The store's keys are spread over every master, none in the queue's Redis.
    cluster = RedisCluster.from_url(cluster_url)
    per_node = [
        sum(1 for _ in node.redis_connection.scan_iter(match="wtcluster:*", count=1000))
        for node in cluster.get_primaries()
    ]
    assert len(per_node) == MASTERS and all(per_node), per_node


def test_index_calls_reach_masters_that_lost_their_scripts(
    cluster_settings: Settings, cluster_url: str, redis_client: redis.Redis
) -> None:
    """The band scripts go to each master by digest; a master that lacks them
    (restarted, or new) is given them, and every band lands once."""
    settings = cluster_settings.model_copy(update={"key_prefix": "wtflush"})
    store = Store(redis_client, settings)
    store.check_index()
    cluster = RedisCluster.from_url(cluster_url)
    for node in cluster.get_primaries():
        node.redis_connection.script_flush()
    bands = np.arange(1, 200, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)

    assert store.index_and_query(1, bands, fresh=True)[0].size == 0
    hits = store.index_and_query(2, bands, fresh=True)[0]

    assert sorted(hits.tolist()) == [1] * len(np.unique(bands))
    for node in cluster.get_primaries():
        assert node.redis_connection.script_exists(store._index_script.sha) == [True]

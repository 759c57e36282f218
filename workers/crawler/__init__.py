"""The crawler: outlets' feeds and news sitemaps feed the ingest queue.

``outlets`` reads the outlets file; ``crawl`` runs a cycle over the outlets
(with :mod:`workers.fetch` to read them) and queues ``ingest`` jobs; ``runner``
runs cycles on a schedule under a lease; ``report`` shows progress; ``pages``
and ``site`` make and serve local feeds and pages for the demo, the benchmark
and the tests; ``demo`` is ``wiretrace crawl --demo``.
"""

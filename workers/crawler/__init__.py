"""The crawler: outlets' feeds and news sitemaps feed the ingest queue.

``outlets`` reads the outlets file; ``urls`` canonicalises URLs and derives
article ids; ``fetch`` is the polite, guarded HTTP client (robots.txt,
per-host delay, conditional GET, retries, size and address limits); ``parse``
reads feeds and sitemaps; ``extract`` turns a page into text and metadata;
``crawl`` runs a cycle over the outlets and queues ``ingest`` jobs; ``report``
shows progress; ``site`` is a small local web server for the demo, the
benchmark and the tests; ``cli`` is ``wiretrace crawl``.
"""

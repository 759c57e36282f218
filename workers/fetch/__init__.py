"""Reading the web: shared by the crawler and the URL-ingest job.

``fetcher`` is the polite, guarded HTTP client (robots.txt, per-host delay,
conditional GET, retries, size and address limits); ``urls`` canonicalises URLs
and derives article ids; ``listings`` reads feeds and news sitemaps;
``extract`` turns a page into an article's text and metadata.
"""

"""Measuring wiretrace: nothing here runs in the service.

``corpus`` writes a synthetic news corpus with its ground truth; ``baseline`` is
datasketch used as its documentation shows, to compare against; ``ingest`` is
``wiretrace bench`` (ingest speed, latency, memory, recall); ``loadtest`` drives
the web service with many clients; ``editor`` times the editor's pages;
``crawl`` times the crawler on local sites; ``evaluation`` scores the verdicts
on labelled corpora.
"""

"""RQ jobs and the worker that runs them.

``queue`` puts jobs on the ingest queue; ``ingest`` holds the jobs themselves
(one article, a batch, an article given by its URL); ``pipeline`` is what a job
runs: the engine between the store's reads and its one write; ``worker`` runs
and supervises RQ workers and recovers what dead ones left; ``lifecycle`` takes
articles down, rebuilds the index, backs up and restores.
"""

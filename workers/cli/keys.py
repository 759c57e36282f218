"""``wiretrace keys``: make API keys for the write endpoints."""

from __future__ import annotations

import click


@click.group()
def keys() -> None:
    """API keys: the server keeps only their hashes."""


@keys.command("new")
def new() -> None:
    """Print a new API key and the hash to configure for it.

    Give the key to the client; add the hash to WIRETRACE_API_KEY_HASHES
    (comma-separated) where the web service runs. The key is shown only once.
    """
    from service.auth import hash_key, new_key

    key = new_key()
    click.echo(f"key:  {key}")
    click.echo(f"hash: {hash_key(key)}")
    click.echo(f"\nconfigure with:  WIRETRACE_API_KEY_HASHES={hash_key(key)}", err=True)
    click.echo(f"call with:       Authorization: Bearer {key}", err=True)

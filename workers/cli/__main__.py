"""``python -m workers.cli``: the ``wiretrace`` command, for subprocesses of its own."""

from workers.cli import main

main()

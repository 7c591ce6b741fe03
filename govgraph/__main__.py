"""``python -m govgraph …`` works like the ``govgraph`` command."""

from govgraph.service.cli import app

app(prog_name="govgraph")

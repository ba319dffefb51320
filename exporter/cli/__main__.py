"""`python -m exporter.cli`: the same as the `pionex-export` command."""

from exporter.cli import entry

entry()

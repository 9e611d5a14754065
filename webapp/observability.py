"""Request ids, structured logs and metrics (filled in by the observability work)."""

from flask import Flask


def register(app: Flask) -> None:
    """Wire request ids, logging and /metrics into the app."""

"""Typed errors of the local model server."""

from __future__ import annotations


class ModelServerError(Exception):
    """The local model server could not be set up, started or stopped."""


class ModelSetupError(ModelServerError):
    """Downloading, joining or verifying the model or the server build failed."""


class ModelStartError(ModelServerError):
    """llama-server did not become healthy."""

"""Typed errors of the agent side."""

from __future__ import annotations


class AgentError(Exception):
    """Base of the agent's errors."""


class ModelUnavailable(AgentError):
    """The language model could not be reached or did not answer in time."""


class ModelFailed(AgentError):
    """The model's server refused or failed the request (e.g. a schema it cannot follow)."""


class PromptNotFound(AgentError):
    """A prompt file named in code does not exist."""


class GuardPreviewFailed(AgentError):
    """The server's guard could not be asked for its preview; the message says why."""

"""Errors of the tool layer itself (domain errors live in backend/domain/errors.py)."""

from __future__ import annotations


class ToolUnavailable(Exception):
    """A dependency a tool needs (Jenkins, the database) cannot be reached; the message says which."""

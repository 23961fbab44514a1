"""Opening the runner's Jenkins client for the Jenkins read tools."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from backend.settings import load_settings
from runner.jenkins.client import JenkinsClient
from runner.settings import JenkinsSettings
from tools.context import JenkinsReader


@asynccontextmanager
async def open_jenkins_reader(*, enabled: bool) -> AsyncIterator[JenkinsReader | None]:
    """The Jenkins client from the JENKINS_* settings, or None when disabled."""
    if not enabled:
        yield None
        return
    async with JenkinsClient.from_settings(load_settings(JenkinsSettings)) as client:
        yield client

"""`runbooks ingest publish` for tests: the same composition root, with osmem's client adaptation.

Run as `python -m tests.integration.ingest.publisher_process` with the usual ES_* /
DATABASE_URL / RABBITMQ_URL environment.
"""

from __future__ import annotations

import asyncio

from backend.observability import configure_logging
from backend.settings import load_settings
from ingest.bootstrap import serve_publisher
from ingest.settings import PublisherSettings
from tests.integration.ingest.osmem_client import PlainJsonNode


def main() -> None:
    settings = load_settings(PublisherSettings)
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(serve_publisher(settings, node_class=PlainJsonNode))


if __name__ == "__main__":
    main()

"""ingest package of MCP Runbooks."""

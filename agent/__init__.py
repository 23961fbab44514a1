"""agent package of MCP Runbooks."""

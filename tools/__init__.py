"""tools package of MCP Runbooks."""

"""graph package of MCP Runbooks."""

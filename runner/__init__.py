"""runner package of MCP Runbooks."""

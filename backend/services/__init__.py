"""Services: what the API, the MCP tools and the consumers call; keyword-only, typed errors."""

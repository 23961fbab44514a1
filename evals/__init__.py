"""evals package of MCP Runbooks."""

"""Tool handlers: parse nothing, call one backend service, shape the result."""

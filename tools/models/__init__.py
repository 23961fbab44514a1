"""Typed inputs and outputs of the tools, one module per domain concept."""

"""A Jenkins simulator: Jenkins's documented REST endpoints and JSON, for tests and demos.

It is NOT Jenkins: every response carries `X-Jenkins-Simulator`, and the CLI
prints a banner saying so.
"""

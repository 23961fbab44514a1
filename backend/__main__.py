"""`python -m backend` is the `runbooks` CLI."""

from backend.cli import main

main()

"""Block Kit builders: pure functions from domain views to `(text, blocks)`."""

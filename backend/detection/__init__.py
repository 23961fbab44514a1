"""Deterministic detection: rules as data, a pure engine, windowed counters in PostgreSQL."""

"""The orchestrator: logs, detection, incidents, actions, outbox and the REST API."""

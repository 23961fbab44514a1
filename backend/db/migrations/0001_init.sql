-- Logs, incidents, actions, outbox, checkpoints, audit: the data model of ARCHITECTURE.md.

CREATE TABLE logs_jenkins (
    id              bigserial PRIMARY KEY,
    source_index    text        NOT NULL,
    source_id       text        NOT NULL,
    ts              timestamptz NOT NULL,
    level           text        NOT NULL,
    message         text        NOT NULL,
    job_name        text,
    build_number    integer,
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    trace_id        text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT logs_jenkins_source_identity UNIQUE (source_index, source_id)
);
CREATE INDEX logs_jenkins_ts ON logs_jenkins (ts DESC, id DESC);
CREATE INDEX logs_jenkins_job_ts ON logs_jenkins (job_name, ts DESC);
CREATE INDEX logs_jenkins_level_ts ON logs_jenkins (level, ts DESC);

CREATE TABLE logs_api (
    id              bigserial PRIMARY KEY,
    source_index    text        NOT NULL,
    source_id       text        NOT NULL,
    ts              timestamptz NOT NULL,
    http_method     text        NOT NULL,
    http_status     smallint    NOT NULL,
    endpoint        text        NOT NULL,
    message         text        NOT NULL DEFAULT '',
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    trace_id        text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT logs_api_source_identity UNIQUE (source_index, source_id)
);
CREATE INDEX logs_api_ts ON logs_api (ts DESC, id DESC);
CREATE INDEX logs_api_status_ts ON logs_api (http_status, ts DESC);
CREATE INDEX logs_api_endpoint_ts ON logs_api (endpoint, ts DESC);

CREATE TABLE incidents (
    id                    bigserial PRIMARY KEY,
    rule                  text        NOT NULL,
    severity              text        NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status                text        NOT NULL DEFAULT 'detected'
                          CHECK (status IN ('detected', 'notified', 'acknowledged', 'investigating', 'resolved')),
    fingerprint           text        NOT NULL,
    source                text        NOT NULL CHECK (source IN ('jenkins', 'api')),
    title                 text        NOT NULL,
    message               text        NOT NULL DEFAULT '',
    job_name              text,
    build_number          integer,
    endpoint              text,
    details               jsonb       NOT NULL DEFAULT '{}'::jsonb,
    runbook_url           text,
    occurrences           integer     NOT NULL DEFAULT 1,
    first_seen            timestamptz NOT NULL,
    last_seen             timestamptz NOT NULL,
    detected_at           timestamptz NOT NULL DEFAULT now(),
    notified_at           timestamptz,
    acknowledged_at       timestamptz,
    acknowledged_by       text,
    investigating_at      timestamptz,
    resolved_at           timestamptz,
    resolved_by           text,
    resolution_method     text,
    resolution_notes      text,
    last_update_event_at  timestamptz,
    trace_id              text
);
-- At most one open incident per fingerprint: a repeat match updates it.
CREATE UNIQUE INDEX incidents_open_fingerprint ON incidents (fingerprint) WHERE status <> 'resolved';
CREATE INDEX incidents_open_severity ON incidents (severity, detected_at DESC) WHERE status <> 'resolved';
CREATE INDEX incidents_detected_at ON incidents (detected_at DESC);
CREATE INDEX incidents_job_open ON incidents (job_name) WHERE status <> 'resolved';

CREATE TABLE action_executions (
    id                  bigserial PRIMARY KEY,
    action_type         text        NOT NULL CHECK (action_type IN ('restart', 'rollback', 'stop', 'trigger')),
    job_name            text        NOT NULL,
    build_number        integer,
    target_build        integer,
    parameters          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    reason              text,
    status              text        NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'awaiting_approval', 'approved', 'running',
                                          'succeeded', 'failed', 'rejected', 'unknown')),
    status_reason       text,
    requested_by        text        NOT NULL,
    approved_by         text,
    rejected_by         text,
    incident_id         bigint      REFERENCES incidents (id),
    guard_decision      jsonb,
    dry_run             boolean     NOT NULL DEFAULT false,
    result              jsonb,
    queue_item_url      text,
    new_build_number    integer,
    new_build_url       text,
    build_result        text,
    idempotency_key     text        UNIQUE,
    requested_at        timestamptz NOT NULL DEFAULT now(),
    approved_at         timestamptz,
    started_at          timestamptz,
    finished_at         timestamptz,
    trace_id            text
);
CREATE INDEX action_executions_running ON action_executions (job_name) WHERE status = 'running';
CREATE INDEX action_executions_job_finished ON action_executions (job_name, finished_at DESC);
CREATE INDEX action_executions_requested_at ON action_executions (requested_at DESC);
CREATE INDEX action_executions_incident ON action_executions (incident_id);

CREATE TABLE outbox_events (
    id               uuid        PRIMARY KEY,
    event_type       text        NOT NULL,
    routing_key      text        NOT NULL,
    payload          jsonb       NOT NULL,
    headers          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz
);
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, created_at) WHERE status = 'pending';

-- Windowed rule counters (frequency, threshold, spike, flatline), in fixed buckets.
CREATE TABLE detection_buckets (
    rule          text        NOT NULL,
    group_key     text        NOT NULL,
    bucket_start  timestamptz NOT NULL,
    matches       bigint      NOT NULL DEFAULT 0,
    total         bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (rule, group_key, bucket_start)
);

CREATE TABLE ingest_checkpoints (
    source_index    text        PRIMARY KEY,
    last_timestamp  timestamptz,
    last_id         text,
    sort_values     jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Consumers are idempotent on event id: a row per (consumer, event) handled.
CREATE TABLE processed_messages (
    consumer      text        NOT NULL,
    message_id    text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);

CREATE TABLE audit_log (
    id           bigserial   PRIMARY KEY,
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL,
    change       text        NOT NULL,
    from_status  text,
    to_status    text,
    actor        text        NOT NULL,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at);

-- Wakes the outbox relay as soon as an event commits.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_events', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

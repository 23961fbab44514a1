-- Slack messages the system keeps updating in place: an incident's card, an action's
-- approval card. One row per (kind, entity); `context` holds what the card shows beyond
-- the entity itself (the latest action on an incident, the approval's requester...).
CREATE TABLE slack_messages (
    kind         text        NOT NULL CHECK (kind IN ('incident', 'action', 'approval')),
    entity_id    text        NOT NULL,
    channel      text        NOT NULL,
    ts           text        NOT NULL,
    thread_ts    text,
    context      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entity_id)
);
CREATE INDEX slack_messages_message ON slack_messages (channel, ts);

-- The relay purges published events after a retention window and reports dead ones:
-- both queries read small partial indexes instead of the whole outbox.
CREATE INDEX outbox_events_published_at ON outbox_events (published_at) WHERE status = 'published';
CREATE INDEX outbox_events_dead ON outbox_events (created_at) WHERE status = 'dead';

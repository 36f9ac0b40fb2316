-- Audit log: one row per write, absorbed later by the deployments audit log.
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    request_id TEXT,
    occurred_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at DESC);

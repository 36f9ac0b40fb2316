-- Deployments and their per-node rollout rows, idempotency keys, and the
-- audit log's caller role and source address.
ALTER TABLE audit_events ADD COLUMN actor_role TEXT;
ALTER TABLE audit_events ADD COLUMN source_address TEXT;
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action text_pattern_ops, id DESC);
CREATE INDEX audit_events_target_idx ON audit_events (target, id DESC);
CREATE TABLE deployments (
    seq BIGSERIAL NOT NULL UNIQUE,
    id TEXT PRIMARY KEY,
    module_name TEXT NOT NULL,
    environment TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    revision INTEGER NOT NULL,
    record_json TEXT NOT NULL
);
-- At most one rollout per module at a time, enforced where concurrent starts meet.
CREATE UNIQUE INDEX deployments_one_active_per_module ON deployments (module_name) WHERE state IN ('InProgress', 'Paused');
CREATE INDEX deployments_state_idx ON deployments (state, seq DESC);
CREATE INDEX deployments_module_idx ON deployments (module_name, seq DESC);
CREATE TABLE deployment_nodes (
    deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    state TEXT NOT NULL,
    node_json TEXT NOT NULL,
    PRIMARY KEY (deployment_id, node_id)
);
-- Which deployment wrote a node's entry, so a rollback reverts only entries it still owns.
ALTER TABLE node_desired_modules ADD COLUMN deployment_id TEXT;
CREATE INDEX node_module_status_deployment_idx ON node_module_status (deployment_id);
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response_json TEXT,
    claimed_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

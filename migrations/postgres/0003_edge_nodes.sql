-- Edge nodes: enrollment tokens, nodes with their credential, health history, desired state and status reports.
CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at DOUBLE PRECISION NOT NULL,
    max_uses INTEGER NOT NULL CHECK (max_uses > 0),
    uses INTEGER NOT NULL DEFAULT 0,
    region TEXT,
    required_labels_json TEXT NOT NULL,
    description TEXT,
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    spec_json TEXT NOT NULL,
    region TEXT NOT NULL,
    zone TEXT NOT NULL,
    admission TEXT NOT NULL CHECK (admission IN ('pending', 'accepted', 'rejected')),
    is_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    credential_hash TEXT NOT NULL UNIQUE,
    registered_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    last_heartbeat_at DOUBLE PRECISION,
    heartbeat_json TEXT,
    health TEXT NOT NULL DEFAULT 'Offline',
    health_changed_at DOUBLE PRECISION
);
CREATE INDEX nodes_region_zone_idx ON nodes (region, zone);
CREATE TABLE node_health_transitions (
    id BIGSERIAL PRIMARY KEY,
    node_id TEXT NOT NULL,
    from_health TEXT NOT NULL,
    to_health TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX node_health_transitions_node_idx ON node_health_transitions (node_id, id DESC);
CREATE TABLE node_desired_modules (
    node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    module_json TEXT NOT NULL,
    PRIMARY KEY (node_id, name)
);
CREATE INDEX node_desired_modules_digest_idx ON node_desired_modules (digest);
CREATE TABLE node_module_status (
    node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    module TEXT NOT NULL,
    state TEXT NOT NULL,
    deployment_id TEXT,
    report_json TEXT NOT NULL,
    reported_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (node_id, module)
);

-- Releases (issue 13): what the nodes a selector matches run, changed only by deployments.
-- Queried state is in columns; the rest of the record (selector, stable and rollout modules, times) is its JSON.
CREATE TABLE releases (
    seq BIGSERIAL NOT NULL UNIQUE,
    id TEXT PRIMARY KEY,
    environment TEXT NOT NULL,
    module_name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('Active', 'Retired')),
    priority INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    record_json TEXT NOT NULL
);
CREATE INDEX releases_state_idx ON releases (state, seq DESC);
CREATE INDEX releases_module_idx ON releases (module_name, seq DESC);

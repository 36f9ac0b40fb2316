-- Module registry: modules, immutable versions, and uploads in flight.
CREATE TABLE modules (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    owner TEXT,
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE module_versions (
    id BIGSERIAL PRIMARY KEY,
    module_name TEXT NOT NULL REFERENCES modules (name),
    version TEXT NOT NULL,
    version_key TEXT NOT NULL,
    digest TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('module', 'component')),
    interface_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated', 'yanked')),
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    status_changed_at DOUBLE PRECISION,
    first_referenced_at DOUBLE PRECISION,
    UNIQUE (module_name, version_key)
);
CREATE INDEX module_versions_digest_idx ON module_versions (digest);
CREATE INDEX module_versions_module_idx ON module_versions (module_name, id DESC);
-- An upload between "blob stored" and "version committed"; garbage collection never deletes a blob named here.
CREATE TABLE blob_upload_intents (
    id BIGSERIAL PRIMARY KEY,
    digest TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX blob_upload_intents_digest_idx ON blob_upload_intents (digest);

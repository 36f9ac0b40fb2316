-- Timestamps become timestamptz (issue 12). They were DOUBLE PRECISION seconds since 1970; to_timestamp keeps
-- each instant (rounded to the microsecond, timestamptz's precision), NULLs stay NULL, and indexes follow the column.
-- The store binds and reads them as instants, so the domain keeps its seconds since 1970 (docs/storage.md).
ALTER TABLE audit_events
    ALTER COLUMN occurred_at TYPE timestamptz USING to_timestamp(occurred_at);
ALTER TABLE modules
    ALTER COLUMN created_at TYPE timestamptz USING to_timestamp(created_at),
    ALTER COLUMN updated_at TYPE timestamptz USING to_timestamp(updated_at);
ALTER TABLE module_versions
    ALTER COLUMN created_at TYPE timestamptz USING to_timestamp(created_at),
    ALTER COLUMN status_changed_at TYPE timestamptz USING to_timestamp(status_changed_at),
    ALTER COLUMN first_referenced_at TYPE timestamptz USING to_timestamp(first_referenced_at);
ALTER TABLE blob_upload_intents
    ALTER COLUMN started_at TYPE timestamptz USING to_timestamp(started_at);
ALTER TABLE enrollment_tokens
    ALTER COLUMN expires_at TYPE timestamptz USING to_timestamp(expires_at),
    ALTER COLUMN created_at TYPE timestamptz USING to_timestamp(created_at);
ALTER TABLE nodes
    ALTER COLUMN registered_at TYPE timestamptz USING to_timestamp(registered_at),
    ALTER COLUMN updated_at TYPE timestamptz USING to_timestamp(updated_at),
    ALTER COLUMN last_heartbeat_at TYPE timestamptz USING to_timestamp(last_heartbeat_at),
    ALTER COLUMN health_changed_at TYPE timestamptz USING to_timestamp(health_changed_at);
ALTER TABLE node_health_transitions
    ALTER COLUMN at TYPE timestamptz USING to_timestamp(at);
ALTER TABLE node_module_status
    ALTER COLUMN reported_at TYPE timestamptz USING to_timestamp(reported_at);
ALTER TABLE deployments
    ALTER COLUMN created_at TYPE timestamptz USING to_timestamp(created_at),
    ALTER COLUMN updated_at TYPE timestamptz USING to_timestamp(updated_at);
ALTER TABLE idempotency_keys
    ALTER COLUMN claimed_at TYPE timestamptz USING to_timestamp(claimed_at),
    ALTER COLUMN expires_at TYPE timestamptz USING to_timestamp(expires_at);
ALTER TABLE token_revocations
    ALTER COLUMN revoked_at TYPE timestamptz USING to_timestamp(revoked_at),
    ALTER COLUMN expires_at TYPE timestamptz USING to_timestamp(expires_at);

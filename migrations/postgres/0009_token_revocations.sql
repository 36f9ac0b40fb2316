-- Revoked token ids (`DELETE /auth/tokens/{jti}`), kept until the token expires.
CREATE TABLE token_revocations (
    token_id TEXT PRIMARY KEY,
    revoked_by TEXT NOT NULL,
    revoked_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX token_revocations_expires_idx ON token_revocations (expires_at);
-- Who minted the caller's token (RFC 8693 act chain, JSON array), next to the subject in `actor`.
ALTER TABLE audit_events ADD COLUMN actor_chain TEXT;

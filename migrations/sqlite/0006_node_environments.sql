-- Environments and trusted labels (issue 11, item 7): every node belongs to an environment, set by its
-- enrollment token or an admin; labels_json holds the trusted labels used for targeting, while
-- spec_json keeps what the node reports for itself. Existing nodes go to production and keep their labels as trusted.
ALTER TABLE enrollment_tokens ADD COLUMN environment TEXT NOT NULL DEFAULT 'production';
ALTER TABLE nodes ADD COLUMN environment TEXT NOT NULL DEFAULT 'production';
ALTER TABLE nodes ADD COLUMN labels_json TEXT NOT NULL DEFAULT '{}';
UPDATE nodes SET labels_json = COALESCE(json_extract(spec_json, '$.labels'), '{}');
CREATE INDEX nodes_environment_idx ON nodes (environment, id);

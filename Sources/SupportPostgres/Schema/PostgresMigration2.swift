// Mirrors SQLiteSchema's "v2: gaps, bug clusters, webhook outbox".
// Released: never edit; append a new migration instead.

enum PostgresMigration2 {
    static let migration = PostgresMigration(version: 2, name: "v2: gaps, bug clusters, webhook outbox", statements: [
        """
        CREATE TABLE gaps (
            id BIGSERIAL PRIMARY KEY,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            count BIGINT NOT NULL DEFAULT 0,
            first_seen DOUBLE PRECISION NOT NULL,
            last_seen DOUBLE PRECISION NOT NULL,
            centroid BYTEA NOT NULL,
            confidence_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
            notified_at DOUBLE PRECISION,
            closed_at DOUBLE PRECISION,
            closed_reason TEXT,
            merged_into BIGINT REFERENCES gaps(id)
        )
        """,
        "CREATE INDEX gaps_open ON gaps(kind, status, count)",
        """
        CREATE TABLE gap_questions (
            seq BIGSERIAL PRIMARY KEY,
            gap_id BIGINT NOT NULL REFERENCES gaps(id),
            answer_key BIGINT,
            question TEXT NOT NULL,
            vector BYTEA NOT NULL,
            confidence DOUBLE PRECISION NOT NULL,
            "at" DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX gap_questions_by_gap ON gap_questions(gap_id, \"at\")",
        """
        CREATE TABLE webhook_deliveries (
            event_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            gap_id BIGINT NOT NULL,
            payload BYTEA NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at DOUBLE PRECISION NOT NULL,
            delivered_at DOUBLE PRECISION,
            last_error TEXT,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE delivered_at IS NULL",
    ])
}

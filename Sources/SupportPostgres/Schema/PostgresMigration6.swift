// Mirrors SQLiteSchema's "v6: the pre-deployment baseline of the roll-out report".
// Released: never edit; append a new migration instead.

enum PostgresMigration6 {
    static let migration = PostgresMigration(version: 6, name: "v6: the pre-deployment baseline of the roll-out report", statements: [
        """
        CREATE TABLE rollout_baseline (
            id BIGINT PRIMARY KEY CHECK (id = 1),
            source TEXT NOT NULL,
            imported_at DOUBLE PRECISION NOT NULL,
            first_ticket_at DOUBLE PRECISION,
            last_ticket_at DOUBLE PRECISION
        )
        """,
        """
        CREATE TABLE rollout_baseline_topics (
            topic TEXT PRIMARY KEY,
            tickets BIGINT NOT NULL,
            solved BIGINT NOT NULL,
            resolved BIGINT NOT NULL,
            reopened BIGINT NOT NULL,
            csat_count BIGINT NOT NULL,
            csat_satisfied BIGINT NOT NULL,
            median_first_reply_seconds DOUBLE PRECISION,
            median_resolution_seconds DOUBLE PRECISION
        )
        """,
        "CREATE INDEX outcomes_resolved ON outcomes(answer_key, created_at) WHERE kind = 'resolved'",
    ])
}

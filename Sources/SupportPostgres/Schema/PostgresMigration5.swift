// Mirrors SQLiteSchema's "v5: topic modes for the roll-out, and each answer's mode".
// Released: never edit; append a new migration instead.

enum PostgresMigration5 {
    static let migration = PostgresMigration(version: 5, name: "v5: topic modes for the roll-out, and each answer's mode", statements: [
        """
        CREATE TABLE topic_modes (
            topic TEXT PRIMARY KEY,
            mode TEXT NOT NULL,
            changed_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE topic_mode_changes (
            id BIGSERIAL PRIMARY KEY,
            topic TEXT NOT NULL,
            mode TEXT NOT NULL,
            changed_at DOUBLE PRECISION NOT NULL
        )
        """,
        "ALTER TABLE answers ADD COLUMN mode TEXT NOT NULL DEFAULT 'live'",
        "ALTER TABLE answers ADD COLUMN shadow_decision TEXT",
        "CREATE INDEX answers_by_topic ON answers(topic, mode)",
    ])
}

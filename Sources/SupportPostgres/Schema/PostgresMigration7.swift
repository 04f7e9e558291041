// Mirrors SQLiteSchema's "v7: the hashed context of each answer and alias, for context learning".
// Rows from before v7 have no context (an empty BYTEA, SQLite's x'').
// Released: never edit; append a new migration instead.

enum PostgresMigration7 {
    static let migration = PostgresMigration(version: 7, name: "v7: the hashed context of each answer and alias, for context learning", statements: [
        "ALTER TABLE answers ADD COLUMN context BYTEA NOT NULL DEFAULT ''::bytea",
        "ALTER TABLE aliases ADD COLUMN context BYTEA NOT NULL DEFAULT ''::bytea",
    ])
}

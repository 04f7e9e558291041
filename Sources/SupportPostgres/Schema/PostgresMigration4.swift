// Mirrors SQLiteSchema's "v4: what taught each alias and agent article, and how an alias ended".
// Released: never edit; append a new migration instead.

enum PostgresMigration4 {
    static let migration = PostgresMigration(version: 4, name: "v4: what taught each alias and agent article, and how an alias ended", statements: [
        "ALTER TABLE aliases ADD COLUMN origin TEXT NOT NULL DEFAULT 'resolved'",
        "ALTER TABLE aliases ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE aliases ADD COLUMN ended_at DOUBLE PRECISION",
        "ALTER TABLE aliases ADD COLUMN ended_reason TEXT",
        "ALTER TABLE articles ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}'",
        "UPDATE aliases SET origin = 'ticket_import' WHERE answer_key IS NULL",
        "UPDATE aliases SET origin = 'escalated' WHERE article_key IN (SELECT key FROM articles WHERE status = 'internal')",
        """
        UPDATE aliases SET origin = 'agent_reply' WHERE origin = 'resolved'
            AND article_key IN (SELECT key FROM articles WHERE origin = 'agent' AND id LIKE 'agent-%')
        """,
        """
        UPDATE aliases SET origin = 'corrected' WHERE origin = 'resolved'
            AND answer_key IN (SELECT key FROM answers WHERE outcome = 'corrected')
        """,
        "UPDATE articles SET origin = 'ticket' WHERE origin = 'agent' AND id LIKE 'ticket-%'",
        "CREATE INDEX aliases_by_time ON aliases(created_at)",
        "CREATE INDEX articles_learned ON articles(created_at) WHERE origin != 'kb'",
    ])
}

import GRDB

/// The SQLite schema of ``SQLiteStore``, as migrations: a released migration is
/// never edited, a change is a new one appended here.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: articles, conversations, answers, outcomes, aliases, outbox") { db in
            try db.execute(sql: """
                CREATE TABLE articles (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    tags TEXT NOT NULL DEFAULT '[]',
                    status TEXT NOT NULL DEFAULT 'published',
                    version INTEGER NOT NULL DEFAULT 1,
                    origin TEXT NOT NULL DEFAULT 'kb',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE article_versions (
                    article_key INTEGER NOT NULL REFERENCES articles(key),
                    version INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    changed_at REAL NOT NULL,
                    PRIMARY KEY (article_key, version)
                );
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    context TEXT NOT NULL DEFAULT '{}',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE turns (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    role TEXT NOT NULL,
                    text TEXT NOT NULL,
                    answer_key INTEGER,
                    created_at REAL NOT NULL
                );
                CREATE INDEX turns_by_conversation ON turns(conversation_id, seq);
                CREATE TABLE answers (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    core_impression INTEGER NOT NULL,
                    generation INTEGER NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    question TEXT NOT NULL,
                    article_key INTEGER,
                    shown_groups BLOB NOT NULL,
                    topic TEXT,
                    decision TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    score REAL NOT NULL,
                    lower REAL NOT NULL,
                    upper REAL NOT NULL,
                    threshold REAL NOT NULL,
                    created_at REAL NOT NULL,
                    outcome TEXT,
                    top_right INTEGER,
                    judged_seq INTEGER,
                    alias_key INTEGER,
                    csat INTEGER
                );
                CREATE TABLE answer_vectors (
                    answer_key INTEGER PRIMARY KEY REFERENCES answers(key),
                    vector BLOB NOT NULL
                );
                CREATE INDEX answers_by_conversation ON answers(conversation_id, key);
                CREATE INDEX answers_by_time ON answers(created_at);
                CREATE INDEX answers_judged ON answers(judged_seq) WHERE judged_seq IS NOT NULL;
                CREATE TABLE outcomes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    answer_key INTEGER NOT NULL REFERENCES answers(key),
                    kind TEXT NOT NULL,
                    csat INTEGER,
                    agent_reply TEXT,
                    article_id TEXT,
                    event_id TEXT UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE INDEX outcomes_by_answer ON outcomes(answer_key);
                CREATE TABLE aliases (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    article_key INTEGER NOT NULL REFERENCES articles(key),
                    answer_key INTEGER,
                    question TEXT NOT NULL,
                    vector BLOB NOT NULL,
                    active INTEGER NOT NULL DEFAULT 1,
                    created_at REAL NOT NULL
                );
                CREATE INDEX aliases_by_article ON aliases(article_key) WHERE active = 1;
                CREATE TABLE core_outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    operation BLOB NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE service_state (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: gaps, bug clusters, webhook outbox") { db in
            try db.execute(sql: """
                CREATE TABLE gaps (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open',
                    count INTEGER NOT NULL DEFAULT 0,
                    first_seen REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    centroid BLOB NOT NULL,
                    confidence_sum REAL NOT NULL DEFAULT 0,
                    notified_at REAL,
                    closed_at REAL,
                    closed_reason TEXT,
                    merged_into INTEGER REFERENCES gaps(id)
                );
                CREATE INDEX gaps_open ON gaps(kind, status, count);
                CREATE TABLE gap_questions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    gap_id INTEGER NOT NULL REFERENCES gaps(id),
                    answer_key INTEGER,
                    question TEXT NOT NULL,
                    vector BLOB NOT NULL,
                    confidence REAL NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX gap_questions_by_gap ON gap_questions(gap_id, at);
                CREATE TABLE webhook_deliveries (
                    event_id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    gap_id INTEGER NOT NULL,
                    payload BLOB NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    delivered_at REAL,
                    last_error TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE delivered_at IS NULL;
                """)
        }
        return migrator
    }
}

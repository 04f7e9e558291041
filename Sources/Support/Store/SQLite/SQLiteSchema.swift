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
        migrator.registerMigration("v3: running counters for /metrics and /v1/health") { db in
            // One row per counter, kept by triggers in the same transaction as the rows they count,
            // so reading them costs the same whatever the history (SQLiteStore.counters()).
            try db.execute(sql: """
                CREATE TABLE counters (
                    name TEXT PRIMARY KEY,
                    value REAL NOT NULL DEFAULT 0
                );
                INSERT INTO counters (name, value) SELECT 'asks', count(*) FROM answers;
                INSERT INTO counters (name, value) SELECT 'answers', count(*) FROM answers WHERE decision = 'answer';
                INSERT INTO counters (name, value) SELECT 'escalations', count(*) FROM answers WHERE decision <> 'answer';
                INSERT INTO counters (name, value) SELECT 'score_sum', coalesce(sum(score), 0) FROM answers;
                INSERT INTO counters (name, value)
                    SELECT 'score_bucket:' || CASE WHEN score <= 0.1 THEN '0.1' WHEN score <= 0.2 THEN '0.2' WHEN score <= 0.3 THEN '0.3' WHEN score <= 0.4 THEN '0.4' WHEN score <= 0.5 THEN '0.5' WHEN score <= 0.6 THEN '0.6' WHEN score <= 0.7 THEN '0.7' WHEN score <= 0.8 THEN '0.8' WHEN score <= 0.9 THEN '0.9' WHEN score <= 1.0 THEN '1.0' ELSE '+Inf' END AS name, count(*) FROM answers GROUP BY name;
                INSERT INTO counters (name, value) SELECT 'outcomes:' || kind, count(*) FROM outcomes GROUP BY kind;
                INSERT INTO counters (name, value) SELECT 'outbox_pending', count(*) FROM core_outbox;
                INSERT INTO counters (name, value)
                    SELECT 'open_gaps:' || kind, count(*) FROM gaps WHERE status = 'open' GROUP BY kind;

                CREATE TRIGGER counters_on_answer AFTER INSERT ON answers BEGIN
                    INSERT INTO counters (name, value) VALUES ('asks', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1;
                    INSERT INTO counters (name, value) VALUES (CASE WHEN NEW.decision = 'answer' THEN 'answers' ELSE 'escalations' END, 1)
                        ON CONFLICT(name) DO UPDATE SET value = value + 1;
                    INSERT INTO counters (name, value) VALUES ('score_sum', NEW.score)
                        ON CONFLICT(name) DO UPDATE SET value = value + excluded.value;
                    INSERT INTO counters (name, value) VALUES ('score_bucket:' || CASE WHEN NEW.score <= 0.1 THEN '0.1' WHEN NEW.score <= 0.2 THEN '0.2' WHEN NEW.score <= 0.3 THEN '0.3' WHEN NEW.score <= 0.4 THEN '0.4' WHEN NEW.score <= 0.5 THEN '0.5' WHEN NEW.score <= 0.6 THEN '0.6' WHEN NEW.score <= 0.7 THEN '0.7' WHEN NEW.score <= 0.8 THEN '0.8' WHEN NEW.score <= 0.9 THEN '0.9' WHEN NEW.score <= 1.0 THEN '1.0' ELSE '+Inf' END, 1)
                        ON CONFLICT(name) DO UPDATE SET value = value + 1;
                END;
                CREATE TRIGGER counters_on_outcome AFTER INSERT ON outcomes BEGIN
                    INSERT INTO counters (name, value) VALUES ('outcomes:' || NEW.kind, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1;
                END;
                CREATE TRIGGER counters_on_outbox_in AFTER INSERT ON core_outbox BEGIN
                    INSERT INTO counters (name, value) VALUES ('outbox_pending', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1;
                END;
                CREATE TRIGGER counters_on_outbox_out AFTER DELETE ON core_outbox BEGIN
                    INSERT INTO counters (name, value) VALUES ('outbox_pending', -1) ON CONFLICT(name) DO UPDATE SET value = value - 1;
                END;
                CREATE TRIGGER counters_on_gap_in AFTER INSERT ON gaps WHEN NEW.status = 'open' BEGIN
                    INSERT INTO counters (name, value) VALUES ('open_gaps:' || NEW.kind, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1;
                END;
                CREATE TRIGGER counters_on_gap_change AFTER UPDATE OF status, kind ON gaps BEGIN
                    INSERT INTO counters (name, value) SELECT 'open_gaps:' || OLD.kind, -1 WHERE OLD.status = 'open'
                        ON CONFLICT(name) DO UPDATE SET value = value - 1;
                    INSERT INTO counters (name, value) SELECT 'open_gaps:' || NEW.kind, 1 WHERE NEW.status = 'open'
                        ON CONFLICT(name) DO UPDATE SET value = value + 1;
                END;
                CREATE TRIGGER counters_on_gap_out AFTER DELETE ON gaps WHEN OLD.status = 'open' BEGIN
                    INSERT INTO counters (name, value) VALUES ('open_gaps:' || OLD.kind, -1) ON CONFLICT(name) DO UPDATE SET value = value - 1;
                END;
                """)
        }
        migrator.registerMigration("v4: what taught each alias and agent article, and how an alias ended") { db in
            // Rows from before v4 get the origin their answer's outcome implies and no evidence (`{}`).
            try db.execute(sql: """
                ALTER TABLE aliases ADD COLUMN origin TEXT NOT NULL DEFAULT 'resolved';
                ALTER TABLE aliases ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}';
                ALTER TABLE aliases ADD COLUMN ended_at REAL;
                ALTER TABLE aliases ADD COLUMN ended_reason TEXT;
                ALTER TABLE articles ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}';
                UPDATE aliases SET origin = 'ticket_import' WHERE answer_key IS NULL;
                UPDATE aliases SET origin = 'escalated'
                    WHERE article_key IN (SELECT key FROM articles WHERE status = 'internal');
                UPDATE aliases SET origin = 'agent_reply' WHERE origin = 'resolved'
                    AND article_key IN (SELECT key FROM articles WHERE origin = 'agent' AND id LIKE 'agent-%');
                UPDATE aliases SET origin = 'corrected' WHERE origin = 'resolved'
                    AND answer_key IN (SELECT key FROM answers WHERE outcome = 'corrected');
                UPDATE articles SET origin = 'ticket' WHERE origin = 'agent' AND id LIKE 'ticket-%';
                CREATE INDEX aliases_by_time ON aliases(created_at);
                CREATE INDEX articles_learned ON articles(created_at) WHERE origin != 'kb';
                """)
        }
        migrator.registerMigration("v5: topic modes for the roll-out, and each answer's mode") { db in
            try db.execute(sql: """
                CREATE TABLE topic_modes (
                    topic TEXT PRIMARY KEY,
                    mode TEXT NOT NULL,
                    changed_at REAL NOT NULL
                );
                CREATE TABLE topic_mode_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    changed_at REAL NOT NULL
                );
                ALTER TABLE answers ADD COLUMN mode TEXT NOT NULL DEFAULT 'live';
                ALTER TABLE answers ADD COLUMN shadow_decision TEXT;
                CREATE INDEX answers_by_topic ON answers(topic, mode);
                """)
        }
        migrator.registerMigration("v6: the pre-deployment baseline of the roll-out report") { db in
            try db.execute(sql: """
                CREATE TABLE rollout_baseline (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    source TEXT NOT NULL,
                    imported_at REAL NOT NULL,
                    first_ticket_at REAL,
                    last_ticket_at REAL
                );
                CREATE TABLE rollout_baseline_topics (
                    topic TEXT PRIMARY KEY,
                    tickets INTEGER NOT NULL,
                    solved INTEGER NOT NULL,
                    resolved INTEGER NOT NULL,
                    reopened INTEGER NOT NULL,
                    csat_count INTEGER NOT NULL,
                    csat_satisfied INTEGER NOT NULL,
                    median_first_reply_seconds REAL,
                    median_resolution_seconds REAL
                );
                CREATE INDEX outcomes_resolved ON outcomes(answer_key, created_at) WHERE kind = 'resolved';
                """)
        }
        migrator.registerMigration("v7: the hashed context of each answer and alias, for context learning") { db in
            // Rows from before v7 have no context (an empty blob): their aliases say nothing about context.
            try db.execute(sql: """
                ALTER TABLE answers ADD COLUMN context BLOB NOT NULL DEFAULT x'';
                ALTER TABLE aliases ADD COLUMN context BLOB NOT NULL DEFAULT x'';
                """)
        }
        return migrator
    }
}

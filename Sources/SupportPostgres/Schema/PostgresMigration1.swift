// Mirrors SQLiteSchema's "v1: articles, conversations, answers, outcomes, aliases, outbox".
// Released: never edit; append a new migration instead.

enum PostgresMigration1 {
    static let migration = PostgresMigration(version: 1, name: "v1: articles, conversations, answers, outcomes, aliases, outbox", statements: [
        """
        CREATE TABLE articles (
            key BIGSERIAL PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'published',
            version BIGINT NOT NULL DEFAULT 1,
            origin TEXT NOT NULL DEFAULT 'kb',
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE article_versions (
            article_key BIGINT NOT NULL REFERENCES articles(key),
            version BIGINT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            tags TEXT NOT NULL,
            changed_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (article_key, version)
        )
        """,
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            context TEXT NOT NULL DEFAULT '{}',
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE turns (
            seq BIGSERIAL PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            answer_key BIGINT,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX turns_by_conversation ON turns(conversation_id, seq)",
        """
        CREATE TABLE answers (
            key BIGSERIAL PRIMARY KEY,
            core_impression BIGINT NOT NULL,
            generation BIGINT NOT NULL,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            question TEXT NOT NULL,
            article_key BIGINT,
            shown_groups BYTEA NOT NULL,
            topic TEXT,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            lower DOUBLE PRECISION NOT NULL,
            upper DOUBLE PRECISION NOT NULL,
            threshold DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            outcome TEXT,
            top_right BIGINT,
            judged_seq BIGINT,
            alias_key BIGINT,
            csat BIGINT
        )
        """,
        """
        CREATE TABLE answer_vectors (
            answer_key BIGINT PRIMARY KEY REFERENCES answers(key),
            vector BYTEA NOT NULL
        )
        """,
        "CREATE INDEX answers_by_conversation ON answers(conversation_id, key)",
        "CREATE INDEX answers_by_time ON answers(created_at)",
        "CREATE INDEX answers_judged ON answers(judged_seq) WHERE judged_seq IS NOT NULL",
        """
        CREATE TABLE outcomes (
            seq BIGSERIAL PRIMARY KEY,
            answer_key BIGINT NOT NULL REFERENCES answers(key),
            kind TEXT NOT NULL,
            csat BIGINT,
            agent_reply TEXT,
            article_id TEXT,
            event_id TEXT UNIQUE,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX outcomes_by_answer ON outcomes(answer_key)",
        """
        CREATE TABLE aliases (
            key BIGSERIAL PRIMARY KEY,
            article_key BIGINT NOT NULL REFERENCES articles(key),
            answer_key BIGINT,
            question TEXT NOT NULL,
            vector BYTEA NOT NULL,
            active BIGINT NOT NULL DEFAULT 1,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX aliases_by_article ON aliases(article_key) WHERE active = 1",
        """
        CREATE TABLE core_outbox (
            seq BIGSERIAL PRIMARY KEY,
            operation BYTEA NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE service_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
    ])
}

// Mirrors SQLiteSchema's "v3: running counters for /metrics and /v1/health".
// SQLite's trigger bodies are PL/pgSQL functions here, each adding to a counter through
// counters_add (SQLite's `INSERT … ON CONFLICT(name) DO UPDATE SET value = value ± …`).
// Released: never edit; append a new migration instead.

enum PostgresMigration3 {
    /// The score bucket of `score` (a column or `NEW.score`), as the SQLite triggers name it.
    private static func bucket(_ score: String) -> String {
        let bounds = ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]
        return "CASE " + bounds.map { "WHEN \(score) <= \($0) THEN '\($0)'" }.joined(separator: " ") + " ELSE '+Inf' END"
    }

    static let migration = PostgresMigration(version: 3, name: "v3: running counters for /metrics and /v1/health", statements: [
        """
        CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value DOUBLE PRECISION NOT NULL DEFAULT 0
        )
        """,
        "INSERT INTO counters (name, value) SELECT 'asks', count(*) FROM answers",
        "INSERT INTO counters (name, value) SELECT 'answers', count(*) FROM answers WHERE decision = 'answer'",
        "INSERT INTO counters (name, value) SELECT 'escalations', count(*) FROM answers WHERE decision <> 'answer'",
        "INSERT INTO counters (name, value) SELECT 'score_sum', coalesce(sum(score), 0) FROM answers",
        "INSERT INTO counters (name, value) SELECT 'score_bucket:' || \(bucket("score")) AS name, count(*) FROM answers GROUP BY 1",
        "INSERT INTO counters (name, value) SELECT 'outcomes:' || kind, count(*) FROM outcomes GROUP BY kind",
        "INSERT INTO counters (name, value) SELECT 'outbox_pending', count(*) FROM core_outbox",
        "INSERT INTO counters (name, value) SELECT 'open_gaps:' || kind, count(*) FROM gaps WHERE status = 'open' GROUP BY kind",
        """
        CREATE FUNCTION counters_add(counter TEXT, delta DOUBLE PRECISION) RETURNS void LANGUAGE sql AS $$
            INSERT INTO counters (name, value) VALUES (counter, delta)
            ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value
        $$
        """,
        """
        CREATE FUNCTION counters_on_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM counters_add('asks', 1);
            PERFORM counters_add(CASE WHEN NEW.decision = 'answer' THEN 'answers' ELSE 'escalations' END, 1);
            PERFORM counters_add('score_sum', NEW.score);
            PERFORM counters_add('score_bucket:' || \(bucket("NEW.score")), 1);
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER counters_on_answer AFTER INSERT ON answers FOR EACH ROW EXECUTE FUNCTION counters_on_answer()",
        """
        CREATE FUNCTION counters_on_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM counters_add('outcomes:' || NEW.kind, 1);
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER counters_on_outcome AFTER INSERT ON outcomes FOR EACH ROW EXECUTE FUNCTION counters_on_outcome()",
        """
        CREATE FUNCTION counters_on_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM counters_add('outbox_pending', CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER counters_on_outbox_in AFTER INSERT ON core_outbox FOR EACH ROW EXECUTE FUNCTION counters_on_outbox()",
        "CREATE TRIGGER counters_on_outbox_out AFTER DELETE ON core_outbox FOR EACH ROW EXECUTE FUNCTION counters_on_outbox()",
        """
        CREATE FUNCTION counters_on_gap() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
                PERFORM counters_add('open_gaps:' || OLD.kind, -1);
            END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'open' THEN
                PERFORM counters_add('open_gaps:' || NEW.kind, 1);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER counters_on_gap_in AFTER INSERT ON gaps FOR EACH ROW WHEN (NEW.status = 'open') EXECUTE FUNCTION counters_on_gap()",
        "CREATE TRIGGER counters_on_gap_change AFTER UPDATE OF status, kind ON gaps FOR EACH ROW EXECUTE FUNCTION counters_on_gap()",
        "CREATE TRIGGER counters_on_gap_out AFTER DELETE ON gaps FOR EACH ROW WHEN (OLD.status = 'open') EXECUTE FUNCTION counters_on_gap()",
    ])
}

/// Tells questions that report a defect ("the export crashes with error 500")
/// from questions that ask how to do something, so bug reports go to
/// engineering as clusters instead of into knowledge gaps.
///
/// The helpdesk's word wins: a `tags` context value (comma- or space-separated)
/// naming `bug`, `defect`, `incident`, `outage` or `crash`, or `bug`/`defect`
/// set to `true`, or `kind`/`type` set to one of those words. Otherwise the lexical
/// detector looks for defect vocabulary — failure words (error, crash, broken,
/// bug, glitch, freeze…), failure phrases ("doesn't work", "not loading",
/// "stopped working", "keeps…ing") and HTTP 5xx codes — and lets a
/// how-to framing ("how do I report a bug") cancel a lone weak cue. Its precision and recall on
/// hand-labelled support questions and on CLINC150 are measured in
/// `Tests/SupportTests/GapDefectDetectorTests.swift`.
public enum DefectDetector {
    /// Helpdesk tags and ticket types that mark a defect.
    public static let defectTags: Set<String> = ["bug", "bugs", "defect", "incident", "outage", "crash", "regression"]

    /// Words that alone describe a defect.
    static let strongWords: Set<String> = [
        "error", "errors", "crash", "crashes", "crashed", "crashing", "bug", "bugs", "buggy", "broken", "glitch",
        "glitches", "glitchy", "freezes", "freezing", "froze", "frozen", "exception", "stacktrace", "traceback",
        "timeout", "timeouts", "malfunction", "malfunctioning", "corrupted", "corrupt", "unresponsive", "500", "502", "503",
        "504", "hangs", "outage", "regression", "fails", "failing", "failed", "failure",
    ]

    /// Phrases that describe a defect.
    static let strongPhrases: [String] = [
        "doesn't work", "doesnt work", "does not work", "don't work", "dont work", "do not work",
        "isn't working", "isnt working", "is not working", "not working", "stopped working", "won't load", "wont load",
        "not loading", "won't open", "wont open", "won't start", "wont start", "blank page", "blank screen", "white screen",
        "spinning forever", "keeps spinning", "keeps crashing", "keeps freezing", "keeps logging me out", "went wrong",
        "timed out", "times out", "no longer works", "not responding", "is down", "are down", "can't load", "cannot load",
        "won't save", "wont save", "not saving", "disappeared", "shows nothing", "nothing happens", "stuck on", "stuck at",
    ]

    /// Framings that ask about a defect-shaped topic without reporting one.
    static let howToPrefixes: [String] = ["how do i report", "how to report", "where do i report", "where can i report",
                                          "what does error", "what is a", "what's a"]

    /// Whether the question reports a defect.
    /// - Parameters:
    ///   - text: the question.
    ///   - context: the ask's context (helpdesk `tags`, `bug`, `defect`, `kind`, `type`).
    ///   - lexical: use the vocabulary detector when the context does not tell.
    public static func isDefect(_ text: String, context: [String: String] = [:], lexical: Bool = true) -> Bool {
        if let tagged = fromContext(context) { return tagged }
        return lexical && looksLikeDefect(text)
    }

    /// What the helpdesk's context says, or nil when it says nothing either way.
    public static func fromContext(_ context: [String: String]) -> Bool? {
        for key in ["bug", "defect"] {
            if let value = context[key]?.lowercased() { return ["true", "1", "yes"].contains(value) }
        }
        for key in ["kind", "type", "ticket_type"] {
            if let value = context[key]?.lowercased(), defectTags.contains(value) { return true }
        }
        if let tags = context["tags"] {
            let words = tags.lowercased().split { $0 == "," || $0 == " " || $0 == ";" }.map(String.init)
            if words.contains(where: defectTags.contains) { return true }
        }
        return nil
    }

    /// The lexical detector alone.
    public static func looksLikeDefect(_ text: String) -> Bool {
        let lower = text.lowercased().replacingOccurrences(of: "’", with: "'")
        var words: [String] = []
        var current = ""
        for ch in lower {
            if ch.isLetter || ch.isNumber { current.append(ch) } else {
                if !current.isEmpty { words.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var cues = words.filter(strongWords.contains).count
        cues += strongPhrases.filter { lower.contains($0) }.count
        guard cues > 0 else { return false }
        if cues == 1, howToPrefixes.contains(where: { lower.hasPrefix($0) }) { return false }
        return true
    }
}

import Foundation

/// What keeps a customer's private data out of the knowledge base: every agent reply and
/// imported ticket reply passes through ``ReplyRedactor/prepare(_:)`` before it may become
/// an article (docs/LEARNING.md, "Nothing private becomes knowledge").
///
/// It replaces, in this order:
///
/// | what | placeholder | rule |
/// | --- | --- | --- |
/// | e-mail addresses | `[email]` | `local@domain.tld` |
/// | IBANs | `[iban]` | two letters, two check digits, 11–30 letters or digits (groups of four allowed), ISO 13616 mod-97 valid |
/// | payment card numbers | `[card]` | 13–19 digits, alone or in groups split by spaces or dashes, Luhn-valid |
/// | phone numbers | `[phone]` | 9–15 digits in groups split by spaces, dashes, dots or parentheses, starting with `+` or `(`, or of 10 digits or more |
/// | long digit runs | `[number]` | 9 digits or more that none of the above took, in a row or split by single spaces or dashes |
///
/// and keeps what only looks alike: prices (`$1,299.00`), dates (`2024-03-15`, `15/03/2024`),
/// times, version numbers (`2.14.3`), order numbers of up to 8 digits, a 16-digit number that
/// fails Luhn (it becomes `[number]`, never `[card]`, and is still removed).
///
/// Then it drops greeting and sign-off lines ("Hi Anna,", "Thanks, Sam", "Best regards") and
/// counts the content words left: a reply with fewer than ``minimumContentWords`` is not
/// knowledge (``Prepared/article`` is `nil`; it stays a "handled without an article" example).
public enum ReplyRedactor {
    /// Fewer content words than this after redaction and the greeting and sign-off are
    /// dropped, and a reply is not worth an article: "Done!", "Fixed it for you, thanks",
    /// "All set now, let me know". Three keeps the shortest real answers ("Settings → Team →
    /// Invite.", "Refunds take 5–10 business days.").
    public static let minimumContentWords = 3

    /// Words that carry no knowledge on their own: pleasantries, pronouns, "done".
    static let fillerWords: Set<String> = [
        "a", "all", "am", "an", "and", "anything", "are", "as", "at", "be", "been", "by", "done", "else", "fixed", "for",
        "glad", "good", "great", "had", "happy", "has", "have", "hello", "help", "helped", "here", "hey", "hi", "i", "if",
        "in", "is", "it", "its", "it's", "just", "know", "let", "me", "my", "now", "of", "ok", "okay", "on", "or", "our",
        "please", "resolved", "set", "so", "solved", "sorry", "sorted", "thank", "thanks", "that", "the", "there", "this",
        "to", "us", "was", "we", "welcome", "with", "you", "your", "yours", "again", "can", "could", "i'm", "i've", "we're",
        "we've", "you're",
    ]

    /// One kind of private data.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case email, iban, card, phone, number

        /// What replaces it in the text.
        public var placeholder: String { "[\(rawValue)]" }
    }

    /// A reply made safe to be knowledge, and what was done to it.
    public struct Prepared: Equatable, Sendable {
        /// The text with private data replaced and greeting and sign-off lines dropped.
        public var text: String
        /// How many of each kind were replaced.
        public var replaced: [Kind: Int]
        /// Greeting and sign-off lines dropped.
        public var droppedLines: Int
        /// Words of ``text`` with two letters or more that are neither placeholders nor filler
        /// ("thanks", "done", "you": ``ReplyRedactor/fillerWords``).
        public var contentWords: Int
        /// ``text`` when it has at least ``ReplyRedactor/minimumContentWords`` content words, else `nil`.
        public var article: String? { contentWords >= ReplyRedactor.minimumContentWords ? text : nil }
    }

    /// Redacts `reply`, drops its greeting and sign-off, and counts what is left.
    public static func prepare(_ reply: String) -> Prepared {
        var replaced: [Kind: Int] = [:]
        let redacted = redact(reply, counts: &replaced)
        var lines = redacted.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var dropped = 0
        let nonEmpty: (String) -> Bool = { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        // The greeting: a first line that only greets, or a greeting clause opening the first line.
        if let first = lines.firstIndex(where: nonEmpty) {
            let line = lines[first].trimmingCharacters(in: .whitespaces)
            if isGreeting(line) {
                lines.remove(at: first)
                dropped += 1
            } else if let clause = openingGreeting.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                      let range = Range(clause.range, in: line) {
                lines[first] = String(line[range.upperBound...])
                dropped += 1
            }
        }
        // The sign-off: from the first line where only a closing is left to the end.
        if let start = lines.indices.first(where: { isSignOff(lines[$0], after: lines[($0 + 1)...]) }) {
            dropped += lines[start...].filter(nonEmpty).count
            lines.removeSubrange(start...)
        }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let placeholders = Set(Kind.allCases.map(\.placeholder))
        let words = text.split(whereSeparator: { $0.isWhitespace }).filter { word in
            let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?()\"'")).lowercased()
            return !placeholders.contains(bare) && bare.filter(\.isLetter).count >= 2 && !fillerWords.contains(bare)
        }
        return Prepared(text: text, replaced: replaced, droppedLines: dropped, contentWords: words.count)
    }

    /// `text` with every e-mail, IBAN, card number, phone number and long digit run replaced.
    public static func redact(_ text: String, counts: inout [Kind: Int]) -> String {
        var out = text
        out = replace(emailPattern, in: out, kind: .email, counts: &counts) { _ in true }
        out = replace(ibanPattern, in: out, kind: .iban, counts: &counts) { isValidIBAN($0) }
        out = replace(cardPattern, in: out, kind: .card, counts: &counts) { passesLuhn(digits(of: $0)) }
        out = replace(phonePattern, in: out, kind: .phone, counts: &counts) { isPhone($0) }
        out = replace(digitRunPattern, in: out, kind: .number, counts: &counts) { _ in true }
        return out
    }

    // MARK: - Patterns

    private static let emailPattern = regex(#"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"#)
    private static let ibanPattern = regex(#"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"#)
    /// 13–19 digits, in one run or in groups of 3–6 split by one space or dash.
    private static let cardPattern = regex(#"(?<![\d.,/\-])(?:\d[ \-]?){12,18}\d(?!\d|[.,/]\d)"#)
    /// Groups of digits split by spaces, dashes, dots or parentheses, an optional leading `+`.
    private static let phonePattern = regex(#"(?<![\w.,/:\-])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]\d{2,4}){1,5}(?![\w.,/:]*\d)"#)
    /// 9 digits or more, in one run or split by single spaces or dashes ("DE88 3704 0044 …",
    /// an IBAN with a typo); not into a time ("2024-03-15 10:30" stops before "10").
    private static let digitRunPattern = regex(#"(?<![\d.,])\d(?:[ \-]?\d){8,}(?!\d|[.,:]\d|:)"#)

    private static func regex(_ pattern: String) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            preconditionFailure("ReplyRedactor pattern \(pattern) does not compile: \(error)")   // a constant: a programming error
        }
    }

    private static func replace(_ pattern: NSRegularExpression, in text: String, kind: Kind, counts: inout [Kind: Int],
                                when accept: (String) -> Bool) -> String {
        let whole = NSRange(text.startIndex..., in: text)
        var out = ""
        var cursor = text.startIndex
        for match in pattern.matches(in: text, range: whole) {
            guard let range = Range(match.range, in: text) else { continue }
            let found = String(text[range])
            guard accept(found) else { continue }
            out += text[cursor..<range.lowerBound]
            out += kind.placeholder
            cursor = range.upperBound
            counts[kind, default: 0] += 1
        }
        out += text[cursor...]
        return out
    }

    // MARK: - Checks

    static func digits(of text: String) -> [Int] { text.compactMap { $0.wholeNumberValue } }

    /// The Luhn checksum payment card numbers carry.
    static func passesLuhn(_ digits: [Int]) -> Bool {
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// ISO 13616: the country and check digits moved to the end, letters as 10–35, mod 97 is 1.
    static func isValidIBAN(_ text: String) -> Bool {
        let compact = text.filter { !$0.isWhitespace }
        guard (15...34).contains(compact.count) else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for character in rearranged {
            guard let value = character.isNumber ? character.wholeNumberValue
                    : character.unicodeScalars.first.map({ Int($0.value) - 55 }), value >= 0, value < 36 else { return false }
            for digit in (value < 10 ? [value] : [value / 10, value % 10]) {
                remainder = (remainder * 10 + digit) % 97
            }
        }
        return remainder == 1
    }

    /// A digit group that reads as a phone number: 9–15 digits, and a leading `+` or `(`
    /// or 10 digits or more (a date, a time, a version or a short order number has fewer,
    /// or other separators).
    static func isPhone(_ text: String) -> Bool {
        let count = digits(of: text).count
        guard (9...15).contains(count) else { return false }
        return text.hasPrefix("+") || text.hasPrefix("(") || count >= 10
    }

    // MARK: - Greeting and sign-off

    private static let greetings = ["hi", "hello", "hey", "dear", "good morning", "good afternoon", "good evening",
                                    "greetings", "hallo", "bonjour"]
    private static let signOffs = ["thanks", "thank you", "many thanks", "best", "best regards", "kind regards", "regards",
                                   "cheers", "sincerely", "all the best", "warm regards", "have a great day",
                                   "have a nice day", "talk soon", "the support team", "your support team"]

    /// "Hi Anna, " opening a line that goes on with content.
    private static let openingGreeting = regex(#"^(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening))(?:\s+[A-Za-z][\w.'\-]*){0,3}\s*[,!]\s+"#)

    /// A line that only greets: "Hi Anna,", "Hello there!", "Dear customer,".
    static func isGreeting(_ line: String) -> Bool {
        let lower = line.lowercased()
        guard let greeting = greetings.first(where: { lower == $0 || lower.hasPrefix($0 + " ") || lower.hasPrefix($0 + ",")
                                                      || lower.hasPrefix($0 + "!") }) else { return false }
        // The greeting and at most three more words (a name), nothing asked.
        let rest = lower.dropFirst(greeting.count).split(whereSeparator: { $0.isWhitespace || $0.isPunctuation })
        return rest.count <= 3 && !line.contains("?")
    }

    /// A closing: a sign-off phrase with at most a name after it ("Thanks, Sam", "Best regards,"),
    /// followed by at most two short lines (a name, a team) and nothing else.
    static func isSignOff(_ line: String, after: ArraySlice<String>) -> Bool {
        let lower = line.lowercased().trimmingCharacters(in: .punctuationCharacters.union(.whitespaces))
        guard let phrase = signOffs.first(where: { lower == $0 || lower.hasPrefix($0 + ",") || lower.hasPrefix($0 + " ") }) else {
            return false
        }
        let rest = lower.dropFirst(phrase.count).split(whereSeparator: { $0.isWhitespace || $0.isPunctuation })
        guard rest.count <= 3 else { return false }
        let closing = after.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return closing.count <= 2 && closing.allSatisfy { $0.split(separator: " ").count <= 4 && !$0.contains(".") }
    }
}

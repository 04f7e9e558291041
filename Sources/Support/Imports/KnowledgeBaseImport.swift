import Foundation

/// The file formats a knowledge base can be imported from.
public enum KnowledgeBaseFormat: String, Sendable, CaseIterable {
    /// One JSON object `{"id", "title", "body", "tags"?}` per line (`.jsonl`, `.ndjson`); blank lines are skipped.
    case jsonl
    /// One such object, or an array of them (`.json`).
    case json
    /// A folder of `.md` files, searched recursively, or one `.md` file; see ``KnowledgeBaseImport/parse(markdown:relativePath:)``.
    case markdown
    /// A table with a header row naming `id,title,body` and optionally `tags` (`.csv`).
    case csv

    /// The format of the file or folder at `path`: a folder is a Markdown folder; a file is told by its
    /// extension (`.jsonl`/`.ndjson`, `.json`, `.csv`, `.md`/`.markdown`, in any case).
    /// - Throws: ``SupportError/invalidRequest(_:)`` when nothing is at `path` or the extension is none of these.
    public static func detect(path: String) throws -> KnowledgeBaseFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SupportError.invalidRequest("\(path): no such file or folder")
        }
        if isDirectory.boolValue { return .markdown }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "json": return .json
        case "csv": return .csv
        case "md", "markdown": return .markdown
        case let other:
            throw SupportError.invalidRequest(
                "\(path): cannot tell the knowledge-base format from the extension \"\(other)\"; "
                    + "give a folder of .md files, or a .jsonl, .ndjson, .json, .csv or .md file")
        }
    }
}

/// What loading a knowledge base from disk gave: the articles, and what a folder import skipped.
public struct KnowledgeBaseLoad: Sendable, Equatable {
    /// The validated articles, in the order of the file (a folder: by relative path).
    public var articles: [ArticleInput]
    /// Files and links of a Markdown folder that were not read, with why.
    public var skipped: [SkippedImportFile]

    /// A load's result.
    public init(articles: [ArticleInput], skipped: [SkippedImportFile]) {
        self.articles = articles
        self.skipped = skipped
    }
}

/// Reads knowledge-base files into ``ArticleInput``s: the pure parsing layer under the service's
/// import command and endpoint, which then upserts what it returns.
///
/// Every parser validates each article (``ArticleInput/validate()``) and refuses an id used twice in
/// one import, and every error names the file and the line (or the Markdown file) it is about:
/// - ``SupportError/invalidRequest(_:)`` when the file itself cannot be read as its format
///   (`kb.jsonl line 3: not valid JSON (…)`, a CSV without its header row);
/// - ``SupportError/invalidArticle(id:reason:)`` when an article in it is wrong
///   (`article "refunds": kb.csv line 7: title is empty`).
///
/// Ids, titles and tags are trimmed of surrounding white space, bodies of surrounding blank lines.
public enum KnowledgeBaseImport {
    /// Loads every article at `path`, in the order of the file (a Markdown folder: sorted by relative path).
    /// - Parameter path: a file or folder; its format is ``KnowledgeBaseFormat/detect(path:)``.
    /// - Returns: the validated articles.
    /// - Throws: ``SupportError/invalidRequest(_:)`` or ``SupportError/invalidArticle(id:reason:)``; the first
    ///   problem found stops the import, so that a half-imported knowledge base never happens.
    public static func load(path: String) throws -> [ArticleInput] {
        try loadReport(path: path).articles
    }

    /// Loads every article at `path` as ``load(path:)`` does, with the files a Markdown folder
    /// import skipped (``loadMarkdownFolderReport(path:maxFileBytes:)``); none for a single file.
    public static func loadReport(path: String) throws -> KnowledgeBaseLoad {
        let format = try KnowledgeBaseFormat.detect(path: path)
        var isDirectory: ObjCBool = false
        if format == .markdown, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try loadMarkdownFolderReport(path: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SupportError.invalidRequest("\(path): cannot be read (\(error.localizedDescription))")
        }
        return KnowledgeBaseLoad(articles: try parse(data, format: format, source: path), skipped: [])
    }

    /// Parses the contents of one knowledge-base file, e.g. an upload.
    /// - Parameters:
    ///   - data: the file's bytes, UTF-8.
    ///   - format: how to read them; for ``KnowledgeBaseFormat/markdown`` this is one article.
    ///   - source: the file's name or path, for error messages and, for Markdown, the article's fallback id and title.
    public static func parse(_ data: Data, format: KnowledgeBaseFormat, source: String) throws -> [ArticleInput] {
        switch format {
        case .jsonl: return try parse(jsonl: data, source: source)
        case .json: return try parse(json: data, source: source)
        case .csv: return try parse(csv: data, source: source)
        case .markdown:
            let name = URL(fileURLWithPath: source).lastPathComponent
            return try checked([(try parse(markdown: text(of: data, source: source), relativePath: name), source)])
        }
    }

    /// Parses JSON Lines: one `{"id", "title", "body", "tags"?}` object per line; blank lines are skipped.
    /// `id` may be a string or an integer; `tags` an array of strings.
    /// - Throws: for a line that is not JSON, not an object, or lacks a field, naming `source` and the line:
    ///   `kb.jsonl line 3: not valid JSON (…)`.
    public static func parse(jsonl data: Data, source: String = "<jsonl>") throws -> [ArticleInput] {
        var located: [(ArticleInput, String)] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !" \t\r".utf8.contains($0) }) else { continue }
            let location = "\(source) line \(lineNumber)"
            let value = try ImportJSON.parse(Data(line), what: location)
            located.append((try article(from: value, at: location), location))
        }
        return try checked(located)
    }

    /// Parses a JSON document holding one article object or an array of them (see ``parse(jsonl:source:)``).
    /// Errors about the n-th article name the line it starts on.
    public static func parse(json data: Data, source: String = "<json>") throws -> [ArticleInput] {
        let document = try ImportJSON.parse(data, what: source)
        if let elements = document.array {
            let lines = ImportJSON.arrayElementLines(data)
            let located = try elements.enumerated().map { index, element in
                let location = index < lines.count
                    ? "\(source) line \(lines[index]) (article \(index + 1))" : "\(source) article \(index + 1)"
                return (try article(from: element, at: location), location)
            }
            return try checked(located)
        }
        return try checked([(try article(from: document, at: source), source)])
    }

    /// Parses a CSV table whose header row names `id`, `title`, `body` and optionally `tags` (in any
    /// order, any case; other columns are ignored). Tags in a cell are separated by `;` or `|`. Quoted
    /// fields may span lines; errors name the line a row starts on.
    public static func parse(csv data: Data, source: String = "<csv>") throws -> [ArticleInput] {
        let table = try ImportCSVTable(data: data, source: source, required: ["id", "title", "body"], optional: ["tags"])
        return try checked(table.rows.map { row in
            let article = ArticleInput(id: row["id"], title: row["title"], body: row["body"], tags: ImportCSVTable.tags(row["tags"]))
            return (article, "\(source) line \(row.line)")
        })
    }

    // MARK: Shared

    /// Validates each article and refuses a second use of an id, prefixing errors with the article's location.
    static func checked(_ located: [(ArticleInput, String)]) throws -> [ArticleInput] {
        var firstLocation: [String: String] = [:]
        for (article, location) in located {
            do {
                try article.validate()
            } catch let SupportError.invalidArticle(id, reason) {
                throw SupportError.invalidArticle(id: id, reason: "\(location): \(reason)")
            }
            if let first = firstLocation[article.id] {
                throw SupportError.invalidArticle(id: article.id, reason: "\(location): the id is already used at \(first)")
            }
            firstLocation[article.id] = location
        }
        return located.map(\.0)
    }

    /// `text` without its leading and trailing blank (white-space only) lines and trailing white space;
    /// the first line's indentation stays (it may be a Markdown code block).
    static func trimmingBlankLines(_ text: String) -> String {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let isBlank = { (line: Substring) in line.allSatisfy(\.isWhitespace) }
        guard let first = lines.firstIndex(where: { !isBlank($0) }), let last = lines.lastIndex(where: { !isBlank($0) }) else { return "" }
        var kept = lines[first...last].joined(separator: "\n")
        while kept.last?.isWhitespace == true { kept.removeLast() }
        return kept
    }

    static func text(of data: Data, source: String) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else { throw SupportError.invalidRequest("\(source): not UTF-8 text") }
        return text
    }

    /// One article from a JSON object, with an error per missing or mistyped field.
    private static func article(from value: ImportJSON, at location: String) throws -> ArticleInput {
        guard value.isObject else {
            throw SupportError.invalidRequest("\(location): expected an article object {\"id\", \"title\", \"body\", \"tags\"?}, found \(value.kindName)")
        }
        let id = value["id"]?.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        func field(_ name: String) throws -> String {
            switch value[name] {
            case let .string(text)?: return text
            case nil, .null?: throw SupportError.invalidArticle(id: id, reason: "\(location): \"\(name)\" is missing")
            case let other?: throw SupportError.invalidArticle(id: id, reason: "\(location): \"\(name)\" must be a string, found \(other.kindName)")
            }
        }
        if value["id"]?.text == nil { _ = try field("id") }
        let title = try field("title").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = trimmingBlankLines(try field("body"))
        var tags: [String] = []
        switch value["tags"] {
        case nil, .null?: break
        case let .array(elements)?:
            for element in elements {
                guard case let .string(tag) = element else {
                    throw SupportError.invalidArticle(id: id, reason: "\(location): \"tags\" must be an array of strings, found \(element.kindName) in it")
                }
                tags.append(tag.trimmingCharacters(in: .whitespaces))
            }
        case let other?:
            throw SupportError.invalidArticle(id: id, reason: "\(location): \"tags\" must be an array of strings, found \(other.kindName)")
        }
        return ArticleInput(id: id, title: title, body: body, tags: tags)
    }
}

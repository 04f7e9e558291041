import Foundation

extension KnowledgeBaseImport {
    /// The largest Markdown file a folder import reads (1 MiB); larger ones are skipped and reported.
    public static let maxMarkdownFileBytes = 1 << 20

    /// Loads every `.md` (or `.markdown`) file below `path`, recursively, skipping hidden files and
    /// folders (`.git`, `.obsidian`), in the order of their relative paths; what it may not read
    /// is left out (``loadMarkdownFolderReport(path:maxFileBytes:)`` says what).
    /// - Returns: one article per file, see ``parse(markdown:relativePath:)``.
    /// - Throws: as ``loadMarkdownFolderReport(path:maxFileBytes:)``.
    public static func loadMarkdownFolder(path: String) throws -> [ArticleInput] {
        try loadMarkdownFolderReport(path: path).articles
    }

    /// Loads a Markdown folder as ``loadMarkdownFolder(path:)`` does, reading only what it was
    /// pointed at: no symbolic link out of the folder (nor to a folder), no FIFO, device or
    /// socket, no file over `maxFileBytes` (see `MarkdownFolderWalk`).
    /// - Returns: the articles, and every file or link skipped with its reason.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a folder that cannot be listed, a folder without
    ///   any Markdown file it may read, or bad front matter; ``SupportError/invalidArticle(id:reason:)`` naming the file.
    public static func loadMarkdownFolderReport(path: String, maxFileBytes: Int = maxMarkdownFileBytes) throws -> KnowledgeBaseLoad {
        let (files, skipped) = try MarkdownFolderWalk(root: path, maxFileBytes: maxFileBytes).run()
        guard !files.isEmpty else {
            let note = skipped.isEmpty ? "" : "; skipped: " + skipped.map(\.description).joined(separator: "; ")
            throw SupportError.invalidRequest("\(path): the folder holds no .md file" + note)
        }
        let located = try files.map { file in
            (try parse(markdown: text(of: file.data, source: file.fullPath), relativePath: file.relativePath), file.fullPath)
        }
        return KnowledgeBaseLoad(articles: try checked(located), skipped: skipped)
    }

    /// Parses one Markdown article.
    ///
    /// - Front matter (optional, see the front-matter reader for the syntax) may set `id`, `title` and `tags`.
    /// - The title is the front matter's `title`, else the text of the first `# ` heading outside
    ///   fenced code blocks, else the file name without extension with `-` and `_` read as spaces.
    /// - The id is the front matter's `id`, else `relativePath` without its extension (`billing/refunds`).
    /// - The body is the text after the front matter, without the heading line when that heading
    ///   became the title, and without surrounding blank lines.
    ///
    /// - Parameters:
    ///   - markdown: the file's text.
    ///   - relativePath: the file's path inside the imported folder, `/`-separated; also names it in errors.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for front matter that is not closed or has a line it cannot read.
    ///   The article is not validated here; ``loadMarkdownFolder(path:)`` and ``load(path:)`` do that.
    public static func parse(markdown: String, relativePath: String) throws -> ArticleInput {
        var lines = markdown.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        let front = try FrontMatter.read(lines, source: relativePath)
        var bodyLines = Array(lines.dropFirst(front.lineCount))

        var title = front.title
        if title == nil, let heading = firstHeadingIndex(bodyLines) {
            title = headingText(bodyLines[heading])
            bodyLines.remove(at: heading)
        }
        let withoutExtension = (relativePath as NSString).deletingPathExtension
        if title == nil {
            let fileName = (withoutExtension as NSString).lastPathComponent
            title = String(fileName.map { $0 == "-" || $0 == "_" ? " " : $0 })
        }
        return ArticleInput(
            id: front.id ?? withoutExtension,
            title: title ?? "",
            body: trimmingBlankLines(bodyLines.joined(separator: "\n")),
            tags: front.tags ?? [])
    }

    /// The index of the first ATX level-1 heading (`# Title`) that is not inside a ``` or ~~~ fence.
    private static func firstHeadingIndex(_ lines: [Substring]) -> Int? {
        var fence: String?
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
            } else if line.prefix(while: { $0 == " " }).count < 4, trimmed.hasPrefix("# ") {
                return index
            }
        }
        return nil
    }

    /// `# Title #` → `Title`.
    private static func headingText(_ line: Substring) -> String {
        var text = line.trimmingCharacters(in: .whitespaces).dropFirst(2).trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("#"), let closing = text.lastIndex(where: { $0 != "#" }), text[closing] == " " {
            text = String(text[..<closing]).trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}

import Foundation

/// A Zendesk export as Zendesk's API gives it, in a folder: the pages of the
/// incremental ticket export and each ticket's comments, joined into the one
/// `{"tickets": [...]}` document ``HelpdeskExports`` reads (each ticket with its
/// `comments`).
///
/// The layout (docs/HELPDESKS.md, "Importing past tickets"):
///
/// - `*.json` at the top: pages of `GET /api/v2/incremental/tickets/cursor.json`
///   (`{"tickets": [...], "after_cursor", "end_of_stream"}`), read in file-name
///   order; a ticket on several pages (updated again between pages) keeps its
///   last version, in the place of its first;
/// - `comments/<ticket id>.json`, and for a ticket with more than one page of
///   comments `comments/<ticket id>-<n>.json` (pages in file-name order): what
///   `GET /api/v2/tickets/{ticket_id}/comments.json` answers (`{"comments": [...]}`;
///   a comment does not name its ticket, so the file name does).
///
/// A ticket without a comments file keeps whatever `comments` it carries (none,
/// in a real export): its `description` is then the question.
public enum ZendeskExportFolder {
    /// Whether `path` is a folder (and so read with ``assemble(folder:)``).
    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The folder's tickets, each with its comments, as one JSON document.
    /// - Throws: ``SupportError/invalidRequest(_:)`` naming the file that cannot be read, is not
    ///   JSON, has no `tickets` (a page) or `comments` (a comments file) array, or a ticket without an id.
    public static func assemble(folder: String) throws -> Data {
        let root = URL(fileURLWithPath: folder)
        var order: [String] = []
        var tickets: [String: [String: Any]] = [:]
        for page in try jsonFiles(in: root) {
            let document = try object(at: page)
            guard let list = document["tickets"] as? [Any] else {
                throw SupportError.invalidRequest("\(page.lastPathComponent): a page of the incremental export needs a \"tickets\" array")
            }
            for (index, item) in list.enumerated() {
                guard let ticket = item as? [String: Any], let id = idText(ticket["id"]) else {
                    throw SupportError.invalidRequest("\(page.lastPathComponent), ticket \(index + 1): expected an object with an \"id\"")
                }
                if tickets[id] == nil { order.append(id) }
                tickets[id] = ticket
            }
        }
        let commentsFolder = root.appendingPathComponent("comments")
        var comments: [String: [Any]] = [:]
        if isFolder(commentsFolder.path) {
            for file in try jsonFiles(in: commentsFolder) {
                let name = file.deletingPathExtension().lastPathComponent
                let ticket = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
                guard let list = try object(at: file)["comments"] as? [Any] else {
                    throw SupportError.invalidRequest("comments/\(file.lastPathComponent): needs a \"comments\" array")
                }
                comments[ticket, default: []] += list
            }
        }
        let joined: [[String: Any]] = order.map { id in
            var ticket = tickets[id]!
            if let list = comments[id] { ticket["comments"] = list }
            return ticket
        }
        do {
            return try JSONSerialization.data(withJSONObject: ["tickets": joined])
        } catch {
            throw SupportError.invalidRequest("\(folder): the tickets cannot be joined into one document: \(error)")
        }
    }

    /// The `.json` files directly in `folder`, by name.
    private static func jsonFiles(in folder: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw SupportError.invalidRequest("\(folder.path): cannot be listed: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// A file's top-level JSON object.
    private static func object(at file: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SupportError.invalidRequest("\(file.path): cannot be read")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SupportError.invalidRequest("\(file.lastPathComponent): not JSON: \(error.localizedDescription)")
        }
        guard let object = value as? [String: Any] else {
            throw SupportError.invalidRequest("\(file.lastPathComponent): expected a JSON object at the top")
        }
        return object
    }

    /// An id as text: Zendesk's ids are numbers, a hand-made file may quote them.
    private static func idText(_ value: Any?) -> String? {
        switch value {
        case let number as NSNumber: number.stringValue
        case let text as String where !text.isEmpty: text
        default: nil
        }
    }
}

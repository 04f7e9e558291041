import Foundation

/// A helpdesk export as the helpdesk's API gives it, in a folder: the pages of
/// its ticket (or conversation) list, and each ticket's own file of comments,
/// conversations or parts — joined into the one document ``HelpdeskExports``
/// reads, each ticket carrying its conversation.
///
/// | format | pages at the top (`*.json`, file-name order) | per ticket, in `<folder>/<id>.json` (or `<id>-<n>.json` pages) | joined as |
/// | --- | --- | --- | --- |
/// | zendesk | `GET /api/v2/incremental/tickets/cursor.json`: `{"tickets": [...], "after_cursor", "end_of_stream"}` | `comments/`: `GET /api/v2/tickets/{id}/comments.json`, `{"comments": [...]}` | the ticket's `comments` |
/// | freshdesk | `GET /api/v2/tickets?page=N`: a JSON array of tickets | `conversations/`: `GET /api/v2/tickets/{id}/conversations`, a JSON array | the ticket's `conversations` |
/// | intercom | `GET /conversations`: `{"type": "conversation.list", "conversations": [...]}` | `conversations/`: `GET /conversations/{id}`, the whole conversation with its `conversation_parts` (one file) | the conversation, replaced by the whole one |
///
/// A ticket on several pages (updated again while the export ran) keeps its last
/// version, in the place of its first. A ticket without its own file keeps what
/// the page gave (for Zendesk, its `description`; for Intercom, the first message
/// in `source`), so it has no agent reply to learn from. The per-ticket file is
/// named by the ticket because its content does not say which ticket it belongs
/// to; a file for a ticket no page lists is ignored (docs/HELPDESKS.md, "Importing past tickets").
public enum HelpdeskExportFolder {
    /// Where one format keeps what, and how a ticket's own file joins it.
    private struct Layout {
        /// The key of the list in a page object; nil: a page is a bare array.
        var pageKey: String?
        /// The folder of per-ticket files.
        var ticketFolder: String
        /// The key of the list in a per-ticket file (its pages are concatenated); nil: the file is
        /// a bare array (concatenated too), or with ``replaces`` the whole record.
        var ticketFileKey: String?
        /// The key the joined list is stored under in the ticket.
        var joinedKey: String
        /// The per-ticket file is the whole record, replacing the page's version.
        var replaces = false
        /// The key of the joined document's list.
        var documentKey: String
    }

    private static func layout(_ format: HelpdeskExportFormat) -> Layout? {
        switch format {
        case .zendesk: Layout(pageKey: "tickets", ticketFolder: "comments", ticketFileKey: "comments", joinedKey: "comments",
                              documentKey: "tickets")
        case .freshdesk: Layout(pageKey: nil, ticketFolder: "conversations", ticketFileKey: nil, joinedKey: "conversations",
                                documentKey: "tickets")
        case .intercom: Layout(pageKey: "conversations", ticketFolder: "conversations", ticketFileKey: nil, joinedKey: "",
                               replaces: true, documentKey: "conversations")
        case .csv: nil
        }
    }

    /// Whether `path` is a folder (and so read with ``assemble(folder:format:)``).
    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The folder's tickets, each with its conversation, as one JSON document of `format`.
    /// - Throws: ``SupportError/invalidRequest(_:)`` for a CSV format, or naming the file that cannot
    ///   be read, is not JSON, has not the list its layout needs, or holds a ticket without an id.
    public static func assemble(folder: String, format: HelpdeskExportFormat) throws -> Data {
        guard let layout = layout(format) else {
            throw SupportError.invalidRequest("\(folder) is a folder: a \(format.rawValue) export is one file; give the file")
        }
        let root = URL(fileURLWithPath: folder)
        var order: [String] = []
        var tickets: [String: [String: Any]] = [:]
        for page in try jsonFiles(in: root) {
            let list = try array(in: try json(at: page), key: layout.pageKey, file: page.lastPathComponent)
            for (index, item) in list.enumerated() {
                guard let ticket = item as? [String: Any], let id = idText(ticket["id"]) else {
                    throw SupportError.invalidRequest("\(page.lastPathComponent), record \(index + 1): expected an object with an \"id\"")
                }
                if tickets[id] == nil { order.append(id) }
                tickets[id] = ticket
            }
        }
        let perTicket = root.appendingPathComponent(layout.ticketFolder)
        if isFolder(perTicket.path) {
            for file in try jsonFiles(in: perTicket) {
                let name = file.deletingPathExtension().lastPathComponent
                let id = layout.replaces ? name : (name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name)
                let label = "\(layout.ticketFolder)/\(file.lastPathComponent)"
                let content = try json(at: file)
                guard tickets[id] != nil else { continue } // a file for a ticket no page lists: nothing to join
                if layout.replaces {
                    guard let whole = content as? [String: Any] else {
                        throw SupportError.invalidRequest("\(label): expected the whole record as a JSON object")
                    }
                    tickets[id] = whole
                } else {
                    let list = try array(in: content, key: layout.ticketFileKey, file: label)
                    tickets[id]![layout.joinedKey] = ((tickets[id]![layout.joinedKey] as? [Any]) ?? []) + list
                }
            }
        }
        do {
            return try JSONSerialization.data(withJSONObject: [layout.documentKey: order.map { tickets[$0]! }])
        } catch {
            throw SupportError.invalidRequest("\(folder): the records cannot be joined into one document: \(error)")
        }
    }

    /// The list a page or per-ticket file holds: under `key` in an object, or the bare array.
    private static func array(in value: Any, key: String?, file: String) throws -> [Any] {
        if let key {
            guard let list = (value as? [String: Any])?[key] as? [Any] else {
                throw SupportError.invalidRequest("\(file): expected an object with a \"\(key)\" array")
            }
            return list
        }
        guard let list = value as? [Any] else { throw SupportError.invalidRequest("\(file): expected a JSON array") }
        return list
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

    /// A file's JSON.
    private static func json(at file: URL) throws -> Any {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SupportError.invalidRequest("\(file.path): cannot be read")
        }
        do {
            return try JSONSerialization.jsonObject(with: data)
        } catch {
            throw SupportError.invalidRequest("\(file.lastPathComponent): not JSON: \(error.localizedDescription)")
        }
    }

    /// An id as text: the helpdesks' ids are numbers (Intercom's are strings).
    private static func idText(_ value: Any?) -> String? {
        switch value {
        case let number as NSNumber: number.stringValue
        case let text as String where !text.isEmpty: text
        default: nil
        }
    }
}

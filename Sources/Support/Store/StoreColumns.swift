import Foundation

// How the store's values are packed into columns, the same in every store so that a row means
// the same whatever holds it: JSON text for tags, raw blobs of the machine's floats and integers
// for vectors and groups, ``ContextHash/encode(_:)`` for contexts. `package` so that the stores
// of other targets of this package (`SupportPostgres`) share them without making them API.

/// A stored context column (``ContextHash/encode(_:)``); a damaged one (none is expected) reads
/// as no context, counted and logged: the row stays usable, it only teaches nothing about context.
package func storedContext(_ data: Data?, of what: String) -> [ContextHash] {
    guard let data, !data.isEmpty else { return [] }
    do {
        return try ContextHash.decode(data)
    } catch {
        DataPathFailures.shared.record(.storedContext, error, what: "decoding the stored context of \(what)")
        return []
    }
}

/// Tags as the store keeps them: a JSON array of strings. A failure (none is expected) is counted and stores `[]`.
package func encodeTags(_ tags: [String]) -> String {
    do {
        return String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
    } catch {
        DataPathFailures.shared.record(.storedTags, error, what: "encoding tags \(tags)")
        return "[]"
    }
}

/// The tags of a stored JSON array; a column that is not one (a damaged row) reads as no tags,
/// counted and logged so that it does not go unseen.
package func decodeTags(_ text: String?) -> [String] {
    guard let text, let data = text.data(using: .utf8) else { return [] }
    do {
        return try JSONDecoder().decode([String].self, from: data)
    } catch {
        DataPathFailures.shared.record(.storedTags, error, what: "decoding stored tags \(text.prefix(200))")
        return []
    }
}

/// A vector as a blob of the machine's 32-bit floats.
package func vectorData(_ vector: [Float]) -> Data {
    vector.withUnsafeBufferPointer { Data(buffer: $0) }
}

/// The floats of a vector blob; none for a missing or empty one.
package func floats(_ data: Data?) -> [Float] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
}

/// Group ids as a blob of the machine's 64-bit integers.
package func groupsData(_ groups: [UInt64]) -> Data {
    groups.withUnsafeBufferPointer { Data(buffer: $0) }
}

/// The group ids of a blob; none for a missing or empty one.
package func groups(_ data: Data?) -> [UInt64] {
    guard let data, !data.isEmpty else { return [] }
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: UInt64.self)) }
}

/// A conversation's account context as the store keeps it: a JSON object. A failure (none is
/// expected) is counted and stores `{}`: the conversation and its turns matter more than its context tags.
package func encodeConversationContext(_ context: [String: String], of conversationID: String) -> String {
    do {
        return String(decoding: try JSONEncoder().encode(context), as: UTF8.self)
    } catch {
        DataPathFailures.shared.record(.conversationContext, error, what: "encoding the context of conversation \(conversationID)")
        return "{}"
    }
}

/// When a conversation was last written to: its newest turn's time (now when no turn is
/// appended), in the stores' seconds since 1970.
package func conversationUpdatedAt(_ turns: [ConversationTurn]) -> Double {
    (turns.last?.createdAt ?? Date()).timeIntervalSince1970
}

extension Article {
    /// Whether upserting `input` with `status` would leave the article as it is (no new version).
    package func isUnchanged(by input: ArticleInput, status: ArticleStatus) -> Bool {
        title == input.title && body == input.body && tags == input.tags && self.status == status
    }

    /// The article's next version: `input`'s words and tags, `status`, written at `at`.
    package func revised(by input: ArticleInput, status: ArticleStatus, at: Date) -> Article {
        var article = self
        article.version += 1
        article.title = input.title
        article.body = input.body
        article.tags = input.tags
        article.status = status
        article.updatedAt = at
        return article
    }

    /// The article as a store returns it after ``KnowledgeStoreWriter/setArticleStatus(id:to:at:)``
    /// changed it from `previous`: its new status and time.
    package func statusChanged(to status: ArticleStatus, at: Date, from previous: ArticleStatus) -> (article: Article, previous: ArticleStatus) {
        var article = self
        article.status = status
        article.updatedAt = at
        return (article, previous)
    }
}

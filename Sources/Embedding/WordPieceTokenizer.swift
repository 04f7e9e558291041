/// WordPiece: splits one word into the longest vocabulary pieces, left to
/// right, continuation pieces spelled with a `##` prefix (Schuster & Nakajima,
/// 2012; as in BERT). A word that cannot be covered, or that is longer than
/// ``maxCharactersPerWord``, becomes a single `[UNK]`.
struct WordPieceTokenizer: Sendable {
    let vocabulary: Vocabulary
    /// Words longer than this (in Unicode scalars) are `[UNK]` outright, as in the reference.
    var maxCharactersPerWord = 100

    private static let continuationPrefix: [UInt8] = Array("##".utf8)

    /// Appends the ids of `word`'s pieces to `ids`.
    /// - Parameters:
    ///   - word: one word from ``BasicTokenizer``, as Unicode scalars.
    ///   - ids: where the piece ids go.
    ///   - scratch: reusable buffers, so that tokenising allocates nothing per word.
    func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32], scratch: inout Scratch) {
        guard word.count <= maxCharactersPerWord else {
            ids.append(vocabulary.unknownID)
            return
        }
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.boundaries.removeAll(keepingCapacity: true)
        for scalar in word {
            scratch.boundaries.append(scratch.bytes.count)
            scratch.bytes.append(contentsOf: UTF8.encode(scalar)!)
        }
        scratch.boundaries.append(scratch.bytes.count)

        let firstPiece = ids.count
        var startIndex = 0 // index into boundaries
        let lastIndex = scratch.boundaries.count - 1
        while startIndex < lastIndex {
            let start = scratch.boundaries[startIndex]
            var found: (id: Int32, endIndex: Int)?
            var endIndex = lastIndex
            while endIndex > startIndex {
                scratch.key.removeAll(keepingCapacity: true)
                if start > 0 { scratch.key.append(contentsOf: Self.continuationPrefix) }
                scratch.key.append(contentsOf: scratch.bytes[start..<scratch.boundaries[endIndex]])
                if let id = vocabulary.id(utf8: scratch.key) {
                    found = (id, endIndex)
                    break
                }
                endIndex -= 1
            }
            guard let piece = found else {
                ids.removeSubrange(firstPiece...)
                ids.append(vocabulary.unknownID)
                return
            }
            ids.append(piece.id)
            startIndex = piece.endIndex
        }
    }

    /// Buffers reused across words.
    struct Scratch {
        var bytes: [UInt8] = []
        var boundaries: [Int] = []
        var key: [UInt8] = []
    }
}

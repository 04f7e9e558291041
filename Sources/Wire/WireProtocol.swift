/// The constants of the Loopdesk core protocol (`docs/PROTOCOL.md`): version,
/// magic, header size and the limits every peer enforces.
///
/// `Wire` is the codec and the client of that protocol and nothing else: it
/// knows frames and message layouts, never HNSW or ranking. Start here, then
/// read ``FrameDecoder`` (bytes → frames), ``Request``/``Response`` (frames →
/// typed messages) and ``LoopdeskClient`` (an async, pipelined client).
public enum WireProtocol {
    /// The protocol major version this module speaks. A peer with another
    /// major is refused with ``ErrorCode/unsupportedVersion``.
    public static let majorVersion: UInt16 = 1
    /// The newest minor version this module speaks. 1.1 added the snapshot
    /// paths to the `SNAPSHOT` reply; 1.2 added `RANK` and `FEEDBACK`; 1.3
    /// added the `TIMED_OUT` notice and the server limits of §11.
    public static let minorVersion: UInt16 = 3
    /// `HELLO`'s magic number: the bytes `"LDSK"` read as a little-endian `u32`.
    public static let magic: UInt32 = 0x4B53_444C
    /// Bytes in a frame header: `u32 length | u8 kind | u8 flags | u16 reserved | u32 request id`.
    public static let headerLength = 12
    /// The largest payload the protocol allows (64 MiB). A server may advertise less in `HELLO`.
    public static let maxPayloadLength: UInt32 = 64 << 20
}

/// The ranges of the protocol's fields (`docs/PROTOCOL.md` §11), checked by
/// both the server (after decoding) and the client (before sending).
public enum WireLimits {
    /// Vector dimensions accepted anywhere.
    public static let dimension: ClosedRange<Int> = 1...16_384
    /// HNSW `M` when not 0 (0 means the server's default).
    public static let m: ClosedRange<Int> = 2...512
    /// HNSW `efConstruction` when not 0 (0 means the server's default).
    public static let efConstruction: ClosedRange<Int> = 1...100_000
    /// Result count `k` of a search.
    public static let k: ClosedRange<Int> = 1...10_000
    /// The largest search `ef`; a non-zero `ef` must also be at least `k`.
    public static let maxEf = 100_000
    /// Collection name length in UTF-8 bytes.
    public static let collectionNameLength: ClosedRange<Int> = 1...64
    /// Tag length in UTF-8 bytes.
    public static let tagLength: ClosedRange<Int> = 1...255
    /// Tags on one item, and tags in one filter list.
    public static let maxTags = 64
    /// Length of the free-text names exchanged in `HELLO`.
    public static let maxPeerNameLength = 255
}

#if _endian(big)
#error("Wire copies vectors and id arrays with memcpy and assumes a little-endian host")
#endif

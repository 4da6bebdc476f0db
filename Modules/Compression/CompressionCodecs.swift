public import TernPrimitives
/// One codec for each ``CompressionType``: the set a broker is built with.
///
/// Each slot is a protocol-typed field, so an experiment or a test can replace or wrap one
/// codec (`codecs.zstd = CountingCodec(wrapping: codecs.zstd)`) and leave the rest alone.
/// The mapping is total by construction: every type has a field, and ``codec(for:)`` switches
/// over all of them.
public struct CompressionCodecs: Sendable {
    /// The codec for uncompressed batches.
    public var none: any BatchCodec
    /// The gzip codec.
    public var gzip: any BatchCodec
    /// The snappy codec.
    public var snappy: any BatchCodec
    /// The LZ4 frame codec.
    public var lz4: any BatchCodec
    /// The zstd codec.
    public var zstd: any BatchCodec

    /// A set of codecs; each defaults to the library-backed one in this module.
    public init(
        none: any BatchCodec = IdentityCodec(),
        gzip: any BatchCodec = GzipCodec(),
        snappy: any BatchCodec = SnappyCodec(),
        lz4: any BatchCodec = LZ4FrameCodec(),
        zstd: any BatchCodec = ZstdCodec()
    ) {
        self.none = none
        self.gzip = gzip
        self.snappy = snappy
        self.lz4 = lz4
        self.zstd = zstd
    }

    /// The codec that handles `type`.
    ///
    /// A codec placed in the wrong slot is a wiring bug in our own composition code, not bad
    /// input, so it stops the process rather than silently using the wrong format.
    public func codec(for type: CompressionType) -> any BatchCodec {
        let codec: any BatchCodec =
            switch type {
            case .none: none
            case .gzip: gzip
            case .snappy: snappy
            case .lz4: lz4
            case .zstd: zstd
            }
        precondition(codec.id == type, "codec \(codec.id) wired into the \(type) slot")
        return codec
    }
}

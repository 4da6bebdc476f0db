#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import TernTransport

/// Writes a frame as its length prefix followed by its parts: buffers as they are, file
/// ranges as `FileRegion`s, which NIO sends with `sendfile`, so fetched log data never passes
/// through Swift.
///
/// Each file range gets its own duplicate descriptor, closed when its write completes. The
/// range's descriptor stays with its owner, which is kept alive until then too.
final class OutboundFrameEncoder: ChannelOutboundHandler {
    typealias OutboundIn = OutboundFrame
    typealias OutboundOut = IOData

    private enum Piece {
        case bytes(ByteBuffer)
        case file(FileRegion, NIOFileHandle, owner: any AnyObject & Sendable)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .unframed(let bytes):
            context.write(Self.wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .framed(let payload):
            guard payload.byteCount <= Int(Int32.max) else {
                promise?.fail(TransportError.frameTooLarge(bytes: payload.byteCount, limit: Int(Int32.max)))
                return
            }
            // Duplicating every descriptor before writing anything means a failure cannot
            // leave half a frame on the wire.
            let pieces: [Piece]
            do {
                pieces = try Self.pieces(of: payload)
            } catch {
                promise?.fail(error)
                return
            }
            var prefix = context.channel.allocator.buffer(capacity: 4)
            prefix.writeInteger(Int32(payload.byteCount))
            context.write(Self.wrapOutboundOut(.byteBuffer(prefix)), promise: pieces.isEmpty ? promise : nil)
            for (index, piece) in pieces.enumerated() {
                write(piece, context: context, promise: index == pieces.count - 1 ? promise : nil)
            }
        }
    }

    private func write(_ piece: Piece, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch piece {
        case .bytes(let bytes):
            context.write(Self.wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .file(let region, let handle, let owner):
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in
                // Closing our own duplicate can only fail if it is already closed; there is
                // nothing to recover either way.
                _ = try? handle.close()
                withExtendedLifetime(owner) {}
            }
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(Self.wrapOutboundOut(.fileRegion(region)), promise: written)
        }
    }

    /// The payload's non-empty parts, each file range with a duplicated descriptor.
    private static func pieces(of payload: FramePayload) throws -> [Piece] {
        var pieces: [Piece] = []
        do {
            for part in payload.parts {
                switch part {
                case .bytes(let bytes) where bytes.readableBytes > 0:
                    pieces.append(.bytes(bytes))
                case .file(let range) where range.length > 0:
                    let descriptor = dup(range.descriptor)
                    guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "dup") }
                    let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
                    let start = Int(range.offset)
                    let region = FileRegion(fileHandle: handle, readerIndex: start, endIndex: start + range.length)
                    pieces.append(.file(region, handle, owner: range.owner))
                case .bytes, .file:
                    continue
                }
            }
        } catch {
            for case .file(_, let handle, _) in pieces { _ = try? handle.close() }
            throw error
        }
        return pieces
    }
}

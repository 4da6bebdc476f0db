#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import NIOCore

/// A byte range of an open file, to be sent as part of a frame without copying it through
/// Swift: the NIO transport hands it to `sendfile` through a `FileRegion`.
///
/// The transport never closes `descriptor`. It keeps `owner` alive until the range has been
/// written, so an owner that closes the descriptor in its `deinit` (the log's segment handle)
/// cannot close it mid-send. The broker converts LogStore's `FileSlice` into this type; the
/// transport does not depend on LogStore.
public struct FileRange: Sendable {
    /// The open descriptor to read from; owned by `owner`.
    public let descriptor: Int32
    /// Where the range starts in the file.
    public let offset: Int64
    /// How many bytes the range spans.
    public let length: Int
    /// The object that keeps `descriptor` open while the range is in flight.
    public let owner: any AnyObject & Sendable

    /// Describes `length` bytes of `descriptor` from `offset`, kept open by `owner`.
    public init(descriptor: Int32, offset: Int64, length: Int, owner: any AnyObject & Sendable) {
        // Ranges come from our own log, never from the network, so a bad one is our bug.
        precondition(descriptor >= 0 && offset >= 0 && length >= 0, "invalid file range")
        self.descriptor = descriptor
        self.offset = offset
        self.length = length
        self.owner = owner
    }

    /// Copies the range into memory with `pread`, for transports that cannot send from a
    /// file (the in-memory one). A file shorter than the range reads as an error rather than
    /// a short frame, which would corrupt the stream.
    public func readBytes() throws(TransportError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(length)
        var done = 0
        while done < length {
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - done) { pointer in
                let result = pread(descriptor, pointer.baseAddress, length - done, off_t(offset) + off_t(done))
                if result < 0 { failure = errno } else if result == 0 { failure = EIO }
                return max(result, 0)
            }
            if count == 0 {
                if failure == EINTR { continue }
                throw .fileUnreadable(errno: failure)
            }
            done += count
        }
        return withExtendedLifetime(owner) { buffer }
    }
}

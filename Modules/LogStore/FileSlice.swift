#if canImport(Glibc)
import Glibc
#endif
public import NIOCore

/// An open segment file, shared by the reads that reference it and closed when the last
/// reference goes away. A read result keeps its file open even if the log closes or deletes
/// the segment meanwhile (as POSIX keeps an unlinked file's data until its last close), so a
/// transport can `sendfile` from it safely.
public final class SegmentFileHandle: Sendable {
    /// The open descriptor; valid for the handle's lifetime.
    public let descriptor: Int32
    /// The file's path when it was opened, for logs and errors.
    public let path: String

    /// Takes ownership of an open descriptor.
    public init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        _ = Glibc.close(descriptor)
    }
}

/// A byte range of a segment file holding whole batches.
public struct FileSlice: Sendable {
    /// The file.
    public let file: SegmentFileHandle
    /// Where the range starts in the file.
    public let offset: Int64
    /// How many bytes it spans.
    public let length: Int

    /// Describes a range.
    public init(file: SegmentFileHandle, offset: Int64, length: Int) {
        self.file = file
        self.offset = offset
        self.length = length
    }

    /// Copies the range into memory with `pread`. A blocking call: for tests, tools and
    /// transports that cannot send from a file; the broker's fetch path uses `sendfile`.
    public func readBytes() throws(LogStoreError) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(length)
        var done = 0
        while done < length {
            // A short file (someone truncated it under us) reads as EIO rather than looping.
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - done) { pointer in
                let result = pread(file.descriptor, pointer.baseAddress, length - done, off_t(offset) + off_t(done))
                if result < 0 { failure = errno } else if result == 0 { failure = EIO }
                return max(result, 0)
            }
            if count == 0 {
                if failure == EINTR { continue }
                throw .io(operation: "pread", path: file.path, errno: failure)
            }
            done += count
        }
        return buffer
    }
}

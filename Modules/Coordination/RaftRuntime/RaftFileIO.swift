#if canImport(Glibc)
import Glibc
#endif
import NIOCore

// The blocking calls the log file needs, each retrying EINTR and naming the operation and the
// path when it fails. Whole-file replacement comes from `MetadataFileIO`.
enum RaftFileIO {
    static func open(_ path: String, flags: Int32) throws(RaftStorageError) -> Int32 {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return descriptor
    }

    static func readAll(_ descriptor: Int32, path: String) throws(RaftStorageError) -> ByteBuffer {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        while buffer.readableBytes < size {
            var failure: Int32 = 0
            let offset = buffer.readableBytes
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size - offset) { raw in
                let result = pread(descriptor, raw.baseAddress, size - offset, off_t(offset))
                if result < 0 { failure = errno }
                return max(result, 0)
            }
            if count == 0 {
                if failure == EINTR { continue }
                if failure == 0 { break }  // the file shrank under us: read what is there
                throw .io(operation: "pread", path: path, errno: failure)
            }
        }
        return buffer
    }

    static func writeAll(_ descriptor: Int32, _ bytes: ByteBuffer, path: String) throws(RaftStorageError) {
        var rest = bytes
        while rest.readableBytes > 0 {
            let written = rest.withUnsafeReadableBytes { raw in Glibc.write(descriptor, raw.baseAddress, raw.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            rest.moveReaderIndex(forwardBy: written)
        }
    }

    static func sync(_ descriptor: Int32, path: String) throws(RaftStorageError) {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw .io(operation: "fdatasync", path: path, errno: errno) }
        }
    }

    static func truncate(_ descriptor: Int32, to length: Int, path: String) throws(RaftStorageError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw .io(operation: "ftruncate", path: path, errno: errno) }
        }
    }

    /// Runs a `MetadataFileIO` call, translating its error.
    static func converting<T>(_ body: () throws(CoordinationStorageError) -> T) throws(RaftStorageError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case let .io(operation, path, code): throw .io(operation: operation, path: path, errno: code)
            case let .corrupt(path, reason): throw .corrupt(path: path, detail: reason)
            }
        }
    }
}

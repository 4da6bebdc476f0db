#if canImport(Glibc)
import Glibc
#endif

// The few blocking file calls `ClusterMetadataFile` needs, each retrying EINTR and turning a
// failure into `CoordinationStorageError.io` with the operation and the path. (The log store
// has its own wrappers; Coordination may not import LogStore.)
enum MetadataFileIO {
    /// The whole file at `path`, or nil when there is none. A file bigger than `sizeMax` is
    /// refused as corrupt.
    static func readIfPresent(_ path: String, sizeMax: Int) throws(CoordinationStorageError) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .io(operation: "open", path: path, errno: errno)
        }
        defer { _ = close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        guard Int(info.st_size) <= sizeMax else { throw .corrupt(path: path, reason: "\(info.st_size) bytes is too big") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(descriptor, base + done, raw.count - done, off_t(done))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pread", path: path, errno: errno)
            }
            if count == 0 { break }
            done += count
        }
        return Array(bytes.prefix(done))
    }

    /// Atomically replaces the file at `path` with `bytes`, durably: a temporary file is
    /// written and synced, renamed over `path`, and the directory is synced.
    static func replace(_ path: String, with bytes: [UInt8]) throws(CoordinationStorageError) {
        let temporary = path + ".tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: temporary, errno: errno) }
        do throws(CoordinationStorageError) {
            try writeAll(descriptor, bytes, path: temporary)
            try sync(descriptor, path: temporary)
        } catch {
            _ = close(descriptor)
            throw error
        }
        _ = close(descriptor)
        guard rename(temporary, path) == 0 else { throw .io(operation: "rename", path: temporary, errno: errno) }
        try syncDirectory(parent(of: path))
    }

    /// Creates `path` and any missing parents, syncing each parent that gained a directory.
    static func createDirectory(_ path: String) throws(CoordinationStorageError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            let parentPath = prefix.isEmpty ? "." : prefix
            prefix += component
            if mkdir(prefix, 0o755) == 0 {
                try syncDirectory(parentPath)
            } else if errno != EEXIST {
                throw .io(operation: "mkdir", path: prefix, errno: errno)
            }
            prefix += "/"
        }
    }

    /// The directory part of a path.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(CoordinationStorageError) {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pwrite(descriptor, base + done, raw.count - done, off_t(done))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pwrite", path: path, errno: errno)
            }
            done += written
        }
    }

    private static func sync(_ descriptor: Int32, path: String) throws(CoordinationStorageError) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw .io(operation: "fsync", path: path, errno: errno) }
        }
    }

    private static func syncDirectory(_ path: String) throws(CoordinationStorageError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { _ = close(descriptor) }
        try sync(descriptor, path: path)
    }
}

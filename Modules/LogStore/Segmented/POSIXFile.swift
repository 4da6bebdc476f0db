#if canImport(Glibc)
import Glibc
#endif

// Thin wrappers over the blocking file syscalls the segmented store uses, each turning a
// failure into `LogStoreError.io` with the operation and path, and retrying EINTR. They
// block the calling thread: call them only from the store's I/O threads (see IOThreadPool).
enum POSIXFile {
    /// Opens `path` and returns the descriptor.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(LogStoreError) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw .io(operation: "open", path: path, errno: errno) }
        }
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(LogStoreError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pwrite", path: path, errno: errno)
            }
            done += written
        }
    }

    /// Writes the `vectors` back to back at `offset` with pwritev, finishing a short write
    /// with pwrite; `vectors.count` must not exceed `IOV_MAX`. Each vector's memory must
    /// stay valid for the call.
    static func writeAll(_ descriptor: Int32, vectors: UnsafeBufferPointer<iovec>, at offset: Int64, path: String) throws(LogStoreError) {
        guard let base = vectors.baseAddress else { return }
        let total = vectors.reduce(0) { $0 + $1.iov_len }
        var written: Int
        repeat {
            written = pwritev(descriptor, base, Int32(vectors.count), off_t(offset))
        } while written < 0 && errno == EINTR
        if written < 0 { throw .io(operation: "pwritev", path: path, errno: errno) }
        guard written < total else { return }
        // A short write (a full disk, a signal): the rest one vector at a time.
        var position = offset
        var skip = written
        for vector in vectors {
            defer { position += Int64(vector.iov_len) }
            guard skip < vector.iov_len, let start = vector.iov_base else {
                skip -= min(skip, vector.iov_len)
                continue
            }
            let rest = UnsafeRawBufferPointer(start: start + skip, count: vector.iov_len - skip)
            try writeAll(descriptor, rest, at: position + Int64(skip), path: path)
            skip = 0
        }
    }

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the count.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(LogStoreError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pread", path: path, errno: errno)
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Forces the file's data (and the metadata needed to read it) to disk.
    static func syncData(_ descriptor: Int32, path: String) throws(LogStoreError) {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw .io(operation: "fdatasync", path: path, errno: errno) }
        }
    }

    /// Forces the file's data and all its metadata to disk.
    static func sync(_ descriptor: Int32, path: String) throws(LogStoreError) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw .io(operation: "fsync", path: path, errno: errno) }
        }
    }

    /// Cuts or extends the file to `length` bytes.
    static func truncate(_ descriptor: Int32, to length: Int64, path: String) throws(LogStoreError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw .io(operation: "ftruncate", path: path, errno: errno) }
        }
    }

    /// Cuts or extends the file at `path` to `length` bytes.
    static func truncate(path: String, to length: Int64) throws(LogStoreError) {
        while Glibc.truncate(path, off_t(length)) != 0 {
            if errno != EINTR { throw .io(operation: "truncate", path: path, errno: errno) }
        }
    }

    /// The size of the open file.
    static func size(_ descriptor: Int32, path: String) throws(LogStoreError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// What `readSmallFile` found.
    enum SmallFile {
        case missing
        /// The file is larger than the caller allows; it was not read.
        case tooBig(size: Int64)
        /// Its bytes (fewer than its size if it shrank meanwhile).
        case bytes([UInt8])
    }

    /// The whole of a small file (checkpoints, snapshots, indexes read at once), refusing
    /// one above `sizeMax` bytes before reading it.
    static func readSmallFile(path: String, sizeMax: Int) throws(LogStoreError) -> SmallFile {
        guard let size = try size(path: path) else { return .missing }
        guard size <= Int64(sizeMax) else { return .tooBig(size: size) }
        let descriptor = try open(path, flags: O_RDONLY)
        defer { _ = close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let count = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(LogStoreError) in try read(descriptor, into: raw, at: 0, path: path) }
        }.get()
        bytes.removeLast(bytes.count - count)
        return .bytes(bytes)
    }

    /// The size of the file at `path`, or nil when it does not exist.
    static func size(path: String) throws(LogStoreError) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "stat", path: path, errno: errno)
        }
        return Int64(info.st_size)
    }

    /// The size and modification time (wall-clock ms) of the file at `path`, or nil when it
    /// does not exist.
    static func status(path: String) throws(LogStoreError) -> (size: Int64, modifiedMilliseconds: Int64)? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "stat", path: path, errno: errno)
        }
        let modified = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
        return (Int64(info.st_size), modified)
    }

    /// Whether `path` names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether anything exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Renames `source` to `target`, replacing `target` atomically if it exists.
    static func rename(_ source: String, to target: String) throws(LogStoreError) {
        guard Glibc.rename(source, target) == 0 else { throw .io(operation: "rename", path: source, errno: errno) }
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws(LogStoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    /// Creates a directory; one that already exists is not an error.
    static func makeDirectory(_ path: String) throws(LogStoreError) {
        guard mkdir(path, 0o755) == 0 || (errno == EEXIST && isDirectory(path)) else {
            throw .io(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// Creates a directory and its missing parents.
    static func makeDirectories(_ path: String) throws(LogStoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            try makeDirectory(prefix)
            prefix += "/"
        }
    }

    /// Makes renames, creations and removals inside the directory durable.
    static func syncDirectory(_ path: String) throws(LogStoreError) {
        let descriptor = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { _ = close(descriptor) }
        try sync(descriptor, path: path)
    }

    /// The names in a directory, without `.` and `..`.
    static func list(_ path: String) throws(LogStoreError) -> [String] {
        guard let directory = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a directory and everything in it (no symlinks are followed).
    static func removeTree(_ path: String) throws(LogStoreError) {
        for name in try list(path) {
            let child = path + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR { try removeTree(child) } else { try remove(child) }
        }
        guard rmdir(path) == 0 || errno == ENOENT else { throw .io(operation: "rmdir", path: path, errno: errno) }
    }
}

public import TernTransport

/// Where a ZooKeeper ensemble is and which subtree a client sees: ZooKeeper's connect string,
/// `host:port[,host:port…][/chroot]`. A host without a port gets 2181.
public struct ZooKeeperConnectString: Hashable, Sendable, CustomStringConvertible {
    /// The servers, in the order written; the client tries them shuffled.
    public var servers: [Endpoint]
    /// The subtree every path is relative to, "" for the root.
    public var chroot: String

    /// ZooKeeper's default client port.
    public static let defaultPort = 2181

    /// A connect string of `servers` under `chroot` ("" or an absolute path without a trailing `/`).
    public init(servers: [Endpoint], chroot: String = "") {
        precondition(!servers.isEmpty, "a connect string names at least one server")
        self.servers = servers
        self.chroot = chroot
    }

    /// Parses `host:port,host:port/chroot`, or throws a message saying what is wrong.
    public init(parsing text: String) throws(ZooKeeperConnectStringError) {
        let hostsPart: Substring
        let chrootPart: Substring
        if let slash = text.firstIndex(of: "/") {
            hostsPart = text[..<slash]
            chrootPart = text[slash...]
        } else {
            hostsPart = text[...]
            chrootPart = ""
        }
        var servers: [Endpoint] = []
        for host in hostsPart.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = String(host)
            if let endpoint = Endpoint(trimmed), endpoint.port > 0 {
                servers.append(endpoint)
            } else if !trimmed.isEmpty, !trimmed.contains(":") {
                servers.append(Endpoint(host: trimmed, port: Self.defaultPort))
            } else {
                throw ZooKeeperConnectStringError("'\(trimmed)' is not HOST or HOST:PORT with a port above 0")
            }
        }
        guard !servers.isEmpty else { throw ZooKeeperConnectStringError("no server given") }
        var chroot = String(chrootPart)
        if chroot == "/" { chroot = "" }
        if !chroot.isEmpty {
            let segments = chroot.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
            guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw ZooKeeperConnectStringError("chroot '\(chroot)' must be /name[/name…] with no empty, '.' or '..' parts")
            }
        }
        self.init(servers: servers, chroot: chroot)
    }

    /// `path` as the server knows it.
    public func serverPath(_ path: String) -> String {
        guard !chroot.isEmpty else { return path }
        return path == "/" ? chroot : chroot + path
    }

    /// A server path as the client knows it: the chroot removed.
    public func clientPath(_ serverPath: String) -> String {
        guard !chroot.isEmpty, serverPath.hasPrefix(chroot) else { return serverPath }
        let rest = serverPath.dropFirst(chroot.count)
        return rest.isEmpty ? "/" : String(rest)
    }

    public var description: String {
        servers.map(\.description).joined(separator: ",") + chroot
    }
}

/// A connect string that cannot be used, with a message for the operator.
public struct ZooKeeperConnectStringError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

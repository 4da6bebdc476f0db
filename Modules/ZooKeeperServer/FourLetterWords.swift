public import TernCoordination
import Synchronization

/// Answers ZooKeeper's four-letter words (`ruok`, `srvr`, `stat`, `mntr`), which readiness probes
/// and scripts send unframed to the client port (`echo srvr | nc host 2181`). Only what this node
/// knows for certain is reported: that it runs, and its role in the ensemble, kept current from
/// the log's leadership changes. Plug `answer` into `ServerConfiguration.fourLetterWords`.
public final class FourLetterWords: Sendable {
    private let ensembleSize: Int
    private let view = Mutex<Leadership?>(nil)

    /// Words for a node of an ensemble of `ensembleSize` voters.
    public init(ensembleSize: Int) {
        self.ensembleSize = ensembleSize
    }

    /// Records the log's latest leadership view.
    public func update(_ leadership: Leadership) {
        view.withLock { $0 = leadership }
    }

    /// Follows `log`'s leadership changes until the calling task is cancelled or the log ends.
    public func follow(_ log: any ReplicatedLog) async {
        for await leadership in log.leadershipChanges() { update(leadership) }
    }

    /// ZooKeeper's mode names: a lone node is `standalone`; a member without a leader in view
    /// answers as ZooKeeper does while electing, that it is not serving.
    var mode: String? {
        guard let leadership = view.withLock({ $0 }), leadership.leader != nil else { return nil }
        if ensembleSize == 1 { return "standalone" }
        return leadership.isLocal ? "leader" : "follower"
    }

    /// The reply to `word`, or nil for a word this server does not know (its four bytes are then
    /// read as a frame length, as with any client).
    public func answer(_ word: String) -> String? {
        switch word {
        case "ruok":
            return "imok"
        case "srvr", "stat":
            guard let mode else { return "This ZooKeeper instance is not currently serving requests\n" }
            return "Zookeeper version: tern-coordinator\nMode: \(mode)\n"
        case "mntr":
            let state = mode ?? "not-serving"
            return "zk_version\ttern-coordinator\nzk_server_state\t\(state)\n"
        default:
            return nil
        }
    }
}

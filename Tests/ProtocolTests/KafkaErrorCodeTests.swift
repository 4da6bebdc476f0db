// Goal: KafkaErrorCode matches Apache Kafka's error table — codes, names and retriable flags —
// and reading a code from the wire never fails. Method: spot-check well-known codes against
// Kafka's table, then check the table as a whole (unique, contiguous, names well formed).

import Testing

@testable import TernProtocol

struct KafkaErrorCodeTests {
    @Test(arguments: [
        (Int16(-1), KafkaErrorCode.unknownServerError, "UNKNOWN_SERVER_ERROR", false),
        (0, .noError, "NONE", false),
        (1, .offsetOutOfRange, "OFFSET_OUT_OF_RANGE", false),
        (2, .corruptMessage, "CORRUPT_MESSAGE", true),
        (3, .unknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION", true),
        (6, .notLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER", true),
        (8, .brokerNotAvailable, "BROKER_NOT_AVAILABLE", false),
        (9, .replicaNotAvailable, "REPLICA_NOT_AVAILABLE", true),
        (15, .coordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE", true),
        (16, .notCoordinator, "NOT_COORDINATOR", true),
        (17, .invalidTopicException, "INVALID_TOPIC_EXCEPTION", false),
        (22, .illegalGeneration, "ILLEGAL_GENERATION", false),
        (25, .unknownMemberId, "UNKNOWN_MEMBER_ID", false),
        (27, .rebalanceInProgress, "REBALANCE_IN_PROGRESS", false),
        (35, .unsupportedVersion, "UNSUPPORTED_VERSION", false),
        (41, .notController, "NOT_CONTROLLER", true),
        (42, .invalidRequest, "INVALID_REQUEST", false),
        (51, .concurrentTransactions, "CONCURRENT_TRANSACTIONS", true),
        (56, .kafkaStorageError, "KAFKA_STORAGE_ERROR", true),
        (69, .groupIdNotFound, "GROUP_ID_NOT_FOUND", false),
        (79, .memberIdRequired, "MEMBER_ID_REQUIRED", false),
        (88, .unstableOffsetCommit, "UNSTABLE_OFFSET_COMMIT", true),
        (90, .producerFenced, "PRODUCER_FENCED", false),
        (100, .unknownTopicId, "UNKNOWN_TOPIC_ID", true),
        (110, .fencedMemberEpoch, "FENCED_MEMBER_EPOCH", false),
        (113, .staleMemberEpoch, "STALE_MEMBER_EPOCH", false),
        (120, .transactionAbortable, "TRANSACTION_ABORTABLE", false),
        (133, .shareSessionLimitReached, "SHARE_SESSION_LIMIT_REACHED", true),
    ])
    func knownCode_matchesKafkasTable(raw: Int16, code: KafkaErrorCode, name: String, retriable: Bool) {
        #expect(code.rawValue == raw)
        #expect(KafkaErrorCode(rawValue: raw) == code)
        #expect(KafkaErrorCode.from(raw) == code)
        #expect(code.name == name)
        #expect(code.isRetriable == retriable)
    }

    @Test(arguments: [Int16(-2), 136, 1000, Int16.max, Int16.min])
    func from_unknownRawCode_isUnknownServerError(raw: Int16) {
        #expect(KafkaErrorCode(rawValue: raw) == nil)
        #expect(KafkaErrorCode.from(raw) == .unknownServerError)
    }

    @Test func allCases_rawValues_areUniqueAndContiguous() {
        let raws = KafkaErrorCode.allCases.map(\.rawValue)
        #expect(Set(raws).count == raws.count)
        // Kafka numbers its errors without gaps from -1 upward.
        #expect(raws.sorted() == Array(Int16(-1)...Int16(raws.count - 2)))
        #expect(raws.first == -1)
        #expect(raws.last == 135)
    }

    @Test func allCases_names_areUniqueUpperSnakeCase() {
        let names = KafkaErrorCode.allCases.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(!name.isEmpty)
            #expect(name.allSatisfy { $0.isUppercase || $0 == "_" }, "\(name)")
        }
    }

    @Test func allCases_names_matchCaseNames() {
        // Kafka's UPPER_SNAKE name, with the underscores dropped, is the case name; the one
        // deliberate exception is NONE, spelled `noError`.
        for code in KafkaErrorCode.allCases where code != .noError {
            let caseName = String(describing: code).uppercased()
            #expect(code.name.filter { $0 != "_" } == caseName, "\(code)")
        }
    }

    @Test func allCases_messages_areOneLine() {
        for code in KafkaErrorCode.allCases {
            #expect(!code.message.isEmpty, "\(code)")
            #expect(!code.message.contains("\n"), "\(code)")
        }
    }

    @Test func convertibleError_reportsItsCode() {
        struct Refused: KafkaErrorConvertible {
            var kafkaErrorCode: KafkaErrorCode { .groupAuthorizationFailed }
        }
        let error: any Error = Refused()
        #expect((error as? any KafkaErrorConvertible)?.kafkaErrorCode == .groupAuthorizationFailed)
    }
}

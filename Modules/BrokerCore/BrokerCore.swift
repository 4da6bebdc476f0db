// BrokerCore: the request handlers of a Kafka broker and the actors that drive them. Design note.
//
// Shape
// -----
// The broker is a set of `ApiComponent`s, each serving some APIs through `ApiRoute`s: the data
// plane (Produce, Fetch, ListOffsets, OffsetForLeaderEpoch), metadata (Metadata,
// DescribeCluster, DescribeTopicPartitions), producers (InitProducerId; the per-partition
// state that checks idempotent producers' sequences lives with each hosted partition),
// administration (topics, partitions, records, configs), consumer groups and transactions.
// `ApiRouter` collects the routes and derives the ApiVersions answer from them, so the broker
// advertises exactly what a handler serves at every version of its range.
// `KafkaRequestService` plugs the router into a `Transport` server.
//
// Components get their collaborators through `init`: the `CoordinationClient` (cluster
// metadata), the `LogStore`, the codecs, a clock. None of them names a concrete backend; the
// composition root (`Assembly`) does.
//
// Ordering
// --------
// Kafka processes one request per connection at a time (the socket is muted until the response
// is sent), and clients rely on it: a producer's pipelined batches for a partition must be
// appended in the order sent. The Kafka listener therefore runs with one request in flight per
// connection; concurrency comes from connections, as in Kafka.
//
// Errors
// ------
// Bad bytes close the connection (logged). Domain outcomes become error codes on the topic or
// partition entry they concern; other entries go ahead. Module errors map to codes through
// `KafkaErrorConvertible` in the handlers; anything unmapped is UNKNOWN_SERVER_ERROR and logged.

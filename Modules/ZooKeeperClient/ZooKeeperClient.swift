// TernZooKeeperClient: a ZooKeeper client over TernTransport, and the broker's `zk://`
// coordination backend built on it, which keeps cluster metadata under the znode layout Kafka
// used in ZooKeeper mode. It works against Tern's coordinator ensemble and Apache ZooKeeper.
// The design note for this module is written alongside its code.

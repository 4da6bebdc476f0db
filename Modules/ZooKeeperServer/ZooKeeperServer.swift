// TernZooKeeperServer: serves the ZooKeeper client protocol from a znode tree replicated through
// a `ReplicatedLog` (TernCoordination). It owns connections, sessions and watches; the tree and
// the jute codec live in TernZooKeeper, consensus in TernCoordination, sockets in TernTransport.
// The design note for this module is written alongside its code.

"""Starts and stops 1-, 3- or 5-node ZooKeeper-protocol ensembles on 127.0.0.1: Apache ZooKeeper
from the Debian package, or tern-coordinator. Shared by the benchmark and the 3-node integration
tests, so both run the two implementations the same way."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ZOOKEEPER_CLASSPATH = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"


def free_ports(count):
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def wait_listening(port, deadline_seconds=30.0):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {deadline_seconds}s")


class Node:
    def __init__(self, node_id, client_port, directory, argv, env=None):
        self.node_id = node_id
        self.client_port = client_port
        self.directory = directory
        self.argv = argv
        self.env = env
        self.process = None

    def start(self):
        log = open(os.path.join(self.directory, "node.log"), "ab")
        self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                        start_new_session=True)

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=30):
        try:
            with open(os.path.join(self.directory, "node.log"), "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


class Ensemble:
    """A set of nodes; `hosts` is the client connect string."""

    def __init__(self, kind, size, root=None, tern_binary=None, extra_args=()):
        self.kind = kind
        self.size = size
        self.root = root or tempfile.mkdtemp(prefix=f"{kind}-ensemble-")
        self.owns_root = root is None
        self.nodes = []
        ports = free_ports(size * 3)
        client_ports = ports[:size]
        peer_ports = ports[size:2 * size]
        election_ports = ports[2 * size:]
        for i in range(size):
            node_id = i + 1
            directory = os.path.join(self.root, f"node{node_id}")
            os.makedirs(directory, exist_ok=True)
            if kind == "zookeeper":
                argv = self._zookeeper_node(node_id, directory, client_ports, peer_ports, election_ports)
            elif kind == "tern":
                argv = [tern_binary, "--id", str(node_id), "--client-listen", f"127.0.0.1:{client_ports[i]}",
                        "--data-dir", os.path.join(directory, "data"), *extra_args]
                if size > 1:
                    argv += ["--peers", ",".join(f"{j + 1}=127.0.0.1:{peer_ports[j]}" for j in range(size))]
            else:
                raise ValueError(kind)
            self.nodes.append(Node(node_id, client_ports[i], directory, argv))

    def _zookeeper_node(self, node_id, directory, client_ports, peer_ports, election_ports):
        data = os.path.join(directory, "data")
        os.makedirs(data, exist_ok=True)
        config = [
            "tickTime=500", "initLimit=20", "syncLimit=10", f"dataDir={data}",
            f"clientPort={client_ports[node_id - 1]}", "clientPortAddress=127.0.0.1",
            "maxClientCnxns=0", "admin.enableServer=false", "4lw.commands.whitelist=ruok,srvr,mntr",
            # Sessions as short as 1 s, as kazoo tests ask for; ZooKeeper's default floor is 2 ticks.
            "minSessionTimeout=1000",
        ]
        if self.size > 1:
            with open(os.path.join(data, "myid"), "w") as f:
                f.write(f"{node_id}\n")
            for j in range(self.size):
                config.append(f"server.{j + 1}=127.0.0.1:{peer_ports[j]}:{election_ports[j]}")
        path = os.path.join(directory, "zoo.cfg")
        with open(path, "w") as f:
            f.write("\n".join(config) + "\n")
        return ["java", "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dzookeeper.jmx.log4j.disable=true",
                "-cp", ZOOKEEPER_CLASSPATH,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain" if self.size > 1
                else "org.apache.zookeeper.server.ZooKeeperServerMain", path]

    @property
    def hosts(self):
        return ",".join(f"127.0.0.1:{n.client_port}" for n in self.nodes)

    def start(self, deadline_seconds=60.0):
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            wait_listening(node.client_port, deadline_seconds)

    def stop(self):
        for node in self.nodes:
            node.kill(signal.SIGTERM)
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

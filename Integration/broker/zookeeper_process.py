"""Starts and stops a standalone Apache ZooKeeper (Debian package `zookeeper`) for the zk:// checks."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

from broker_process import free_port

JAR = "/usr/share/java/zookeeper.jar"
LOG_JAR = "/usr/share/java/slf4j-simple.jar"


def installed():
    return os.path.exists(JAR) and shutil.which("java") is not None


class ZooKeeper:
    """One ZooKeeper server on a free 127.0.0.1 port over a temporary data directory."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="tern-it-zk-")
        self.port = free_port()
        self.process = None
        with open(os.path.join(self.directory, "zoo.cfg"), "w") as config:
            config.write(f"tickTime=500\ndataDir={self.directory}/data\nclientPort={self.port}\n"
                         "clientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n"
                         "4lw.commands.whitelist=ruok,srvr\n")

    @property
    def connect(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=30):
        log = open(os.path.join(self.directory, "zk.log"), "ab")
        self.process = subprocess.Popen(
            ["java", "-Xms32m", "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", f"{JAR}:{LOG_JAR}",
             "org.apache.zookeeper.server.ZooKeeperServerMain", os.path.join(self.directory, "zoo.cfg")],
            stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"zookeeper exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"ruok")
                    if sock.recv(4) == b"imok":
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("zookeeper did not answer ruok in time")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)

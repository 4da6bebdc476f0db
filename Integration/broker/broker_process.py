"""Starts, stops and kills tern-broker processes for the integration checks."""

import os
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """One tern-broker process over a data directory that outlives restarts."""

    def __init__(self, binary, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.data_dir = tempfile.mkdtemp(prefix="tern-it-")
        self.port = free_port()
        self.process = None
        self.log_path = os.path.join(self.data_dir, "broker.log")

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=30):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "--listen", self.bootstrap, "--data-dir", self.data_dir, *self.extra_args],
            stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"broker exited with {self.process.returncode}; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("broker did not start listening in time")

    def stop(self, timeout=30):
        """SIGTERM and wait: a graceful shutdown. Returns the exit code."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
            raise RuntimeError("broker did not stop within the timeout after SIGTERM")
        finally:
            self.process = None
        return code

    def kill(self):
        """SIGKILL: no chance to flush or close anything."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        self.process = None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as handle:
                return b"".join(handle.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

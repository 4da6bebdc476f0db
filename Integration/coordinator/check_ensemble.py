"""Fault checks against a 3-node ZooKeeper-protocol ensemble of processes, run the same way
against Apache ZooKeeper and tern-coordinator: a client keeps creating znodes while the leader
and then a follower are SIGKILLed; writes must resume, every acknowledged znode must be present
on every node, and a restarted node must catch up. Ends with a zkCli.sh smoke check.

    python check_ensemble.py --kind zookeeper|tern [--tern-binary PATH]

Prints one `ok`/`FAIL` line per check and a final `N passed, N failed` line.
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Tools", "zk-bench"))

from bench import find_leader, four_letter_word, wait_serving  # noqa: E402
from ensemble import Ensemble  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402
from kazoo.retry import KazooRetry  # noqa: E402

results = []
label = "ensemble"


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(f"{'PASS' if condition else 'FAIL'} [{label}] {name}{'' if condition else ': ' + detail}", flush=True)


def client_for(hosts):
    client = KazooClient(hosts=hosts, timeout=10.0,
                         connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.2))
    client.start(timeout=30)
    return client


class Writer:
    """Creates /acked/n-<seq> znodes in a loop and remembers the ones the ensemble acknowledged."""

    def __init__(self, client):
        self.client = client
        self.acked = []
        self.acked_at = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_event.is_set():
            try:
                path = self.client.create("/acked/n-", b"v", sequence=True)
                self.acked.append(path)
                self.acked_at.append(time.monotonic())
            except Exception:
                # Connection loss: the create may or may not have happened; only acks count.
                time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=30)

    def acked_since(self, instant):
        return sum(1 for t in self.acked_at if t > instant)


def all_present(ensemble, paths, node=None):
    """True when every path is a child of /acked as seen from `node` (or each running node)."""
    expected = {p.rsplit("/", 1)[1] for p in paths}
    nodes = [node] if node else [n for n in ensemble.nodes if n.running]
    for n in nodes:
        client = client_for(f"127.0.0.1:{n.client_port}")
        try:
            client.sync("/acked")
            children = set(client.get_children("/acked"))
        finally:
            client.stop()
            client.close()
        missing = expected - children
        if missing:
            return False, f"node {n.node_id} misses {len(missing)} of {len(expected)}, e.g. {sorted(missing)[:3]}"
    return True, ""


def kill_and_resume(ensemble, writer, victim, label, resume_seconds=10.0):
    killed_at = time.monotonic()
    victim.kill(signal.SIGKILL)
    deadline = killed_at + resume_seconds
    while time.monotonic() < deadline and writer.acked_since(killed_at) < 20:
        time.sleep(0.05)
    check(f"writes resume after SIGKILL of the {label} (node {victim.node_id})",
          writer.acked_since(killed_at) >= 20,
          f"{writer.acked_since(killed_at)} acked in {resume_seconds}s")


def rejoin(node, deadline_seconds=60.0):
    """Restarts a killed node and waits until it is back in the quorum, so that killing another
    node next still leaves a majority."""
    node.start()
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        status = four_letter_word(node.client_port, "srvr")
        if "Mode: follower" in status or "Mode: leader" in status:
            return
        time.sleep(0.1)
    raise RuntimeError(f"node {node.node_id} did not rejoin within {deadline_seconds}s")


def zkcli_smoke(ensemble):
    zkcli = "/usr/share/zookeeper/bin/zkCli.sh"
    if not os.path.exists(zkcli):
        check("zkCli.sh present", False, "install the zookeeper package")
        return
    server = f"127.0.0.1:{ensemble.nodes[-1].client_port}"

    def run(*command):
        # zkCli runs one command given as arguments and exits; stdin needs a terminal.
        result = subprocess.run([zkcli, "-server", server, *command], capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr

    created = run("create", "/zkcli", "hello")
    read = run("get", "/zkcli")
    listed = run("ls", "/")
    run("delete", "/zkcli")
    gone = run("ls", "/")
    check("zkCli.sh create/get/ls/delete",
          "Created /zkcli" in created and "hello" in read and "zkcli" in listed and "zkcli" not in gone,
          f"create: {created[-200:]!r} get: {read[-200:]!r}")


def fault_checks(kind, tern_binary=None):
    """Runs the fault scenario on a fresh 3-node ensemble; returns (passed, failed)."""
    global label
    label = f"{kind} x3"
    results.clear()
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)
    with Ensemble(kind, 3, tern_binary=tern_binary) as ensemble:
        try:
            find_leader(ensemble)
            wait_serving(ensemble)
            client = client_for(ensemble.hosts)
            client.ensure_path("/acked")
            with Writer(client) as writer:
                time.sleep(1.0)
                leader = find_leader(ensemble)
                kill_and_resume(ensemble, writer, leader, "leader")
                rejoin(leader)
                follower = next(n for n in ensemble.nodes if n.running and n is not find_leader(ensemble))
                kill_and_resume(ensemble, writer, follower, "follower")
                rejoin(follower)
            client.stop()
            client.close()
            check("writer acknowledged creates", len(writer.acked) > 50, f"only {len(writer.acked)}")
            wait_serving(ensemble)
            for node in ensemble.nodes:
                present, detail = all_present(ensemble, writer.acked, node)
                check(f"every acknowledged znode present on node {node.node_id}", present, detail)
            zkcli_smoke(ensemble)
        except Exception as error:  # report, then show the nodes' logs
            check("ensemble run", False, repr(error))
        if not all(results):
            for node in ensemble.nodes:
                print(f"--- node {node.node_id} log tail ---\n{node.log_tail()}")
    passed = sum(results)
    return passed, len(results) - passed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["zookeeper", "tern"], required=True)
    parser.add_argument("--tern-binary")
    args = parser.parse_args()
    passed, failed = fault_checks(args.kind, args.tern_binary)
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

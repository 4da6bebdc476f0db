"""kazoo against a ZooKeeper-protocol server: the same checks run against Apache ZooKeeper and
tern-coordinator, so both must behave alike. Each check prints PASS or FAIL with its reason; the
last line is "N passed, N failed" and the exit code is non-zero if anything failed.

Usage: check_coordinator.py --servers HOST:PORT[,HOST:PORT...] [--label NAME] [--only NAME]"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NoChildrenForEphemeralsError, NodeExistsError, NoNodeError,
                              NotEmptyError, ConnectionLoss, BadArgumentsError, RolledBackError)
from kazoo.protocol.states import EventType, KazooState

CHECKS = []
SESSION_TIMEOUT = 4.0  # both servers grant 4 s (two ticks of 2 s)
WAIT = 20.0            # bound on every wait for an event


def check(function):
    CHECKS.append(function)
    return function


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def unique(prefix):
    return f"/{prefix}-{uuid.uuid4().hex[:8]}"


def client(servers, timeout=10.0):
    zk = KazooClient(hosts=servers, timeout=timeout)
    zk.start(timeout=15)
    return zk


def wait_for(predicate, what, limit=WAIT):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {limit}s waiting for {what}")


@check
def crud_create_get_set_delete_children(servers):
    zk = client(servers)
    try:
        base = unique("crud")
        expect(zk.create(base, b"v0") == base, "create returned another path")
        data, stat = zk.get(base)
        expect(data == b"v0" and stat.version == 0 and stat.dataLength == 2, f"get {data} {stat}")
        stat = zk.set(base, b"v1")
        expect(stat.version == 1 and stat.mzxid > stat.czxid, f"set stat {stat}")
        zk.create(base + "/c1", b"")
        zk.create(base + "/c2", b"x")
        expect(sorted(zk.get_children(base)) == ["c1", "c2"], "children")
        children, stat = zk.get_children(base, include_data=True)
        expect(stat.numChildren == 2 and stat.cversion == 2, f"parent stat {stat}")
        zk.ensure_path(base + "/deep/er/path")
        expect(zk.exists(base + "/deep/er/path") is not None, "ensure_path")
        zk.delete(base, recursive=True)
        expect(zk.exists(base) is None, "recursive delete left the node")
        try:
            zk.get(base)
            raise AssertionError("get of a deleted node succeeded")
        except NoNodeError:
            pass
    finally:
        zk.stop(); zk.close()


@check
def ephemeral_and_sequential_nodes(servers):
    zk = client(servers)
    try:
        base = unique("eph")
        zk.create(base)
        first = zk.create(base + "/item-", b"", sequence=True)
        second = zk.create(base + "/item-", b"", ephemeral=True, sequence=True)
        expect(first == base + "/item-0000000000", f"first sequential {first}")
        expect(second == base + "/item-0000000001", f"second sequential {second}")
        _, stat = zk.get(second)
        expect(stat.ephemeralOwner == zk.client_id[0], f"ephemeralOwner {stat.ephemeralOwner:#x}")
        _, stat = zk.get(first)
        expect(stat.ephemeralOwner == 0, "persistent node has an owner")
        try:
            zk.create(second + "/child")
            raise AssertionError("ephemeral node accepted a child")
        except NoChildrenForEphemeralsError:
            pass
        other = client(servers)
        try:
            other.sync(base)  # another member may not have applied zk's writes yet (ZooKeeper)
            expect(sorted(other.get_children(base)) == ["item-0000000000", "item-0000000001"], "children seen by another client")
        finally:
            other.stop(); other.close()
    finally:
        zk.stop(); zk.close()
    zk = client(servers)
    try:
        expect(zk.exists(second) is None, "ephemeral survived its session's close")
        zk.delete(base, recursive=True)
    finally:
        zk.stop(); zk.close()


@check
def versions_and_error_codes(servers):
    zk = client(servers)
    try:
        base = unique("ver")
        zk.create(base, b"a")
        zk.set(base, b"b", version=0)
        for attempt in (lambda: zk.set(base, b"c", version=0), lambda: zk.delete(base, version=5)):
            try:
                attempt()
                raise AssertionError("stale version accepted")
            except BadVersionError:
                pass
        try:
            zk.create(base)
            raise AssertionError("duplicate create accepted")
        except NodeExistsError:
            pass
        zk.create(base + "/kid")
        try:
            zk.delete(base)
            raise AssertionError("delete of a node with children accepted")
        except NotEmptyError:
            pass
        try:
            zk.create(unique("missing") + "/child")
            raise AssertionError("create under a missing parent accepted")
        except NoNodeError:
            pass
        zk.delete(base + "/kid", version=0)
        zk.delete(base, version=1)
        expect(zk.exists(base) is None, "versioned delete")
    finally:
        zk.stop(); zk.close()


@check
def multi_transactions_all_or_nothing(servers):
    zk = client(servers)
    try:
        base = unique("multi")
        zk.create(base, b"0")
        t = zk.transaction()
        t.create(base + "/a", b"1")
        t.set_data(base, b"1", version=0)
        t.check(base, 1)
        results = t.commit()
        expect(results[0] == base + "/a" and results[2] is True, f"results {results}")
        t = zk.transaction()
        t.create(base + "/b")
        t.check(base, 99)
        t.delete(base + "/a")
        results = t.commit()
        # ZooKeeper's per-op results: ok (rolled back) before the failing op, its error, then
        # runtimeInconsistency for the ops it never tried.
        expect([type(r).__name__ for r in results] == ["RolledBackError", "BadVersionError", "RuntimeInconsistency"],
               f"failed results {results}")
        expect(zk.exists(base + "/b") is None and zk.exists(base + "/a") is not None, "failed multi left changes")
        zk.delete(base, recursive=True)
    finally:
        zk.stop(); zk.close()


@check
def watches_data_child_exists_in_order(servers):
    watcher = client(servers)
    writer = client(servers)
    try:
        base = unique("watch")
        writer.create(base, b"0")
        # ZooKeeper serves reads from the node a client is on; sync catches it up with the
        # leader, so the watcher sees the writer's node even on another member.
        watcher.sync(base)
        events = []
        lock = threading.Lock()

        def record(event):
            with lock:
                events.append((event.type, event.path))

        watcher.get(base, watch=record)
        watcher.get_children(base, watch=record)
        watcher.exists(base + "/later", watch=record)
        writer.set(base, b"1")
        writer.create(base + "/later")
        writer.set(base, b"2")  # the data watch was one-shot: no second event
        wait_for(lambda: len(events) >= 3, "three events")
        time.sleep(0.3)
        with lock:
            got = list(events)
        expect(got == [(EventType.CHANGED, base), (EventType.CHILD, base), (EventType.CREATED, base + "/later")]
               or got == [(EventType.CHANGED, base), (EventType.CREATED, base + "/later"), (EventType.CHILD, base)],
               f"events {got}")
        expect(len(got) == 3, f"one-shot watch fired twice: {got}")
        deleted = []
        watcher.exists(base + "/later", watch=lambda e: deleted.append(e.type))
        writer.delete(base + "/later")
        wait_for(lambda: deleted == [EventType.DELETED], "deleted event")
        writer.delete(base, recursive=True)
    finally:
        watcher.stop(); watcher.close()
        writer.stop(); writer.close()


OWNER_SCRIPT = """
import sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=float(sys.argv[3]))
zk.start(timeout=15)
zk.create(sys.argv[2], b"", ephemeral=True)
print(hex(zk.client_id[0]), flush=True)
time.sleep(600)
"""


@check
def session_expiry_removes_ephemerals(servers):
    path = unique("expiring")
    owner = subprocess.Popen([sys.executable, "-c", OWNER_SCRIPT, servers, path, str(SESSION_TIMEOUT)],
                             stdout=subprocess.PIPE, text=True)
    zk = client(servers)
    try:
        line = owner.stdout.readline().strip()
        expect(line.startswith("0x"), f"owner did not create its node: {line!r}")
        gone = threading.Event()
        zk.sync(path)  # the owner may be on another member
        expect(zk.exists(path, watch=lambda e: gone.set() if e.type == EventType.DELETED else None) is not None,
               "ephemeral not visible")
        # SIGKILL: no closeSession is sent, so only expiry on the server can remove the node.
        owner.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        expect(gone.wait(WAIT), "ephemeral not removed after the owner's session timed out")
        waited = time.monotonic() - killed_at
        expect(waited >= SESSION_TIMEOUT * 0.5, f"removed after only {waited:.1f}s, before the session could expire")
        expect(zk.exists(path) is None, "ephemeral still exists")
    finally:
        owner.kill(); owner.wait()
        zk.stop(); zk.close()


@check
def reconnect_keeps_session_ephemerals_and_watches(servers):
    zk = client(servers)
    writer = client(servers)
    try:
        path = unique("reconnect")
        zk.create(path, b"0", ephemeral=True)
        session = zk.client_id
        states = []
        zk.add_listener(lambda state: states.append(state))
        fired = []
        zk.get(path, watch=lambda e: fired.append(e.type))
        # Cut the TCP connection under kazoo; it reconnects with its session id and password.
        zk._connection._socket.shutdown(socket.SHUT_RDWR)
        wait_for(lambda: KazooState.SUSPENDED in states, "kazoo to notice the cut")
        wait_for(lambda: zk.state == KazooState.CONNECTED and states[-1] == KazooState.CONNECTED, "reconnection")
        expect(zk.client_id == session, "session changed across the reconnect")
        expect(zk.exists(path) is not None, "ephemeral lost across the reconnect")
        # kazoo 2.x hands its watchers a NONE event when the connection drops and forgets them, so
        # it has nothing to re-send with setWatches; a watch set after the reconnect must work.
        wait_for(lambda: fired, "the old watch to be released")
        expect(fired == [EventType.NONE], f"old watch events {fired}")
        changed = threading.Event()
        zk.get(path, watch=lambda e: changed.set() if e.type == EventType.CHANGED else None)
        writer.sync(path)  # the writer may be on another member
        writer.set(path, b"1")
        expect(changed.wait(WAIT), "watch set after the reconnect did not fire")
    finally:
        zk.stop(); zk.close()
        writer.stop(); writer.close()


@check
def pipelined_async_requests_answer_in_order(servers):
    zk = client(servers)
    try:
        base = unique("pipe")
        zk.create(base)
        creates = [zk.create_async(f"{base}/n{i:03}", str(i).encode()) for i in range(200)]
        gets = [zk.get_async(f"{base}/n{i:03}") for i in range(200)]
        expect([c.get(timeout=WAIT) for c in creates] == [f"{base}/n{i:03}" for i in range(200)], "create results")
        expect([g.get(timeout=WAIT)[0] for g in gets] == [str(i).encode() for i in range(200)], "get results")
        zk.delete(base, recursive=True)
    finally:
        zk.stop(); zk.close()


@check
def sync_acl_and_large_data(servers):
    zk = client(servers)
    try:
        base = unique("misc")
        zk.create(base)
        zk.sync(base)
        acls, stat = zk.get_acls(base)
        expect(len(acls) == 1 and acls[0].id.scheme == "world" and acls[0].id.id == "anyone" and acls[0].perms == 31,
               f"acls {acls}")
        stat = zk.set_acls(base, acls)
        expect(stat.aversion == 1, f"aversion {stat.aversion}")
        big = os.urandom(1_000_000)
        zk.set(base, big)
        expect(zk.get(base)[0] == big, "1 MB data round trip")
        try:
            zk.set(base, os.urandom(1_200_000))
            raise AssertionError("data over the 1 MB limit accepted")
        except (BadArgumentsError, ConnectionLoss):
            pass  # ZooKeeper drops the connection (packet over jute.maxbuffer); Tern answers BadArguments
        wait_for(lambda: zk.connected, "connection back after the oversized write")
        zk.delete(base)
    finally:
        zk.stop(); zk.close()


def run_checks(servers, label, only=None):
    """Runs every check (or those whose name contains `only`); returns (passed, failed)."""
    passed = failed = 0
    for function in CHECKS:
        if only and only not in function.__name__:
            continue
        started = time.monotonic()
        try:
            function(servers)
            passed += 1
            print(f"PASS [{label}] {function.__name__} ({time.monotonic() - started:.1f}s)", flush=True)
        except Exception as error:
            failed += 1
            print(f"FAIL [{label}] {function.__name__}: {error!r}", flush=True)
            traceback.print_exc(limit=3)
    return passed, failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--label", default="server")
    parser.add_argument("--only")
    args = parser.parse_args()
    passed, failed = run_checks(args.servers, args.label, args.only)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

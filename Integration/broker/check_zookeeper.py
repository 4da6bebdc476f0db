"""tern-broker on the zk:// coordination backend against a real Apache ZooKeeper, and (with
--coordinator) against a 3-node tern-coordinator ensemble with the same flags: topic creation,
produce and consume with confluent-kafka and kcat, Kafka's znodes read back with kazoo, and a
broker restart that finds its topic and messages again. Prints PASS/FAIL lines and
"N passed, N failed". Run through run_zookeeper.sh."""

import argparse
import json
import os
import sys
import time
import traceback

from broker_process import Broker
from check_broker import kcat, kcat_consume, unique, expect
import zookeeper_process

CHROOT = "/tern"


def check_topic_produce_consume_restart(broker, zk, zk_client):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    topic = unique("zk")
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)], operation_timeout=10)
    futures[topic].result(timeout=30)

    ids = zk_client.get_children(f"{CHROOT}/brokers/ids")
    expect(ids == ["1"], f"/brokers/ids children {ids}")
    registration, stat = zk_client.get(f"{CHROOT}/brokers/ids/1")
    expect(stat.ephemeralOwner != 0, "the registration is ephemeral")
    expect(json.loads(registration)["port"] == broker.port, f"registration {registration!r}")
    assignment = json.loads(zk_client.get(f"{CHROOT}/brokers/topics/{topic}")[0])
    expect(sorted(assignment["partitions"]) == ["0", "1", "2"], f"assignment {assignment}")
    state = json.loads(zk_client.get(f"{CHROOT}/brokers/topics/{topic}/partitions/0/state")[0])
    expect(state["leader"] == 1 and state["isr"] == [1], f"state {state}")
    expect(json.loads(zk_client.get(f"{CHROOT}/controller")[0])["brokerid"] == 1, "controller")

    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5})
    for i in range(300):
        producer.produce(topic, f"m{i}".encode(), key=str(i % 3).encode())
    expect(producer.flush(30) == 0, "messages left unsent")
    records = kcat_consume(broker, topic, 300)
    expect(sorted(r["payload"] for r in records) == sorted(f"m{i}" for i in range(300)), "consumed messages differ")

    del producer, admin  # their reconnect attempts would only add noise during the restart
    code = broker.stop()
    expect(code == 0, f"graceful stop exited {code}")
    expect(zk_client.get_children(f"{CHROOT}/brokers/ids") == [], "the registration went with the session")
    broker.start()
    listing = json.loads(kcat(broker, "-L", "-J", "-t", topic))
    partitions = [t for t in listing["topics"] if t["topic"] == topic]
    expect(partitions and len(partitions[0]["partitions"]) == 3, f"topic after restart {listing['topics']}")
    records = kcat_consume(broker, topic, 300)
    expect(len(records) == 300, f"{len(records)} messages after restart")


def check_bad_or_unreachable_ensemble_fails_startup(binary, free_port):
    import subprocess
    bad = subprocess.run([binary, "--coordination", "zk://host:notaport/tern"], capture_output=True, timeout=30)
    expect(bad.returncode != 0 and b"--coordination" in bad.stderr, f"bad URL: {bad.returncode} {bad.stderr[-300:]!r}")
    started = time.monotonic()
    unreachable = subprocess.run(
        [binary, "--store", "memory", "--listen", f"127.0.0.1:{free_port()}", "--coordination",
         f"zk://127.0.0.1:{free_port()}/tern", "--set", "zookeeper.connection.timeout.ms=2000"],
        capture_output=True, timeout=60)
    expect(unreachable.returncode != 0 and b"zk:// coordination backend" in unreachable.stderr,
           f"unreachable: {unreachable.returncode} {unreachable.stderr[-300:]!r}")
    expect(time.monotonic() - started < 20, "an unreachable ensemble took too long to report")


def check_on_tern_ensemble(binary, coordinator):
    """The same broker check with the broker pointed at all three members of a tern-coordinator
    ensemble: one configuration format for both ensembles."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tools", "zk-bench"))
    from bench import find_leader, wait_serving
    from ensemble import Ensemble
    from kazoo.client import KazooClient

    with Ensemble("tern", 3, tern_binary=coordinator) as ensemble:
        find_leader(ensemble)
        wait_serving(ensemble)
        zk_client = KazooClient(hosts=ensemble.hosts, timeout=10)
        zk_client.start(timeout=15)
        broker = Broker(binary, ["--coordination", f"zk://{ensemble.hosts}{CHROOT}", "--store", "file"])
        try:
            broker.start()
            check_topic_produce_consume_restart(broker, None, zk_client)
        except Exception:
            print(broker.log_tail(), file=sys.stderr)
            raise
        finally:
            if broker.alive():
                broker.stop()
            zk_client.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--coordinator", help="a tern-coordinator binary: also run on a 3-node ensemble of it")
    args = parser.parse_args()
    if not zookeeper_process.installed():
        print("SKIP zookeeper checks: Debian package zookeeper or java is not installed")
        print("0 passed, 0 failed")
        return 0
    from kazoo.client import KazooClient
    zk = zookeeper_process.ZooKeeper()
    broker = None
    zk_client = None
    passed = failed = 0
    try:
        zk.start()
        zk_client = KazooClient(hosts=zk.connect, timeout=10)
        zk_client.start(timeout=15)
        broker = Broker(args.broker, ["--coordination", f"zk://{zk.connect}{CHROOT}", "--store", "file"])
        broker.start()
        started = time.monotonic()
        try:
            check_topic_produce_consume_restart(broker, zk, zk_client)
            passed += 1
            print(f"PASS zk_topic_produce_consume_restart ({time.monotonic() - started:.1f}s)", flush=True)
        except Exception as error:
            failed += 1
            print(f"FAIL zk_topic_produce_consume_restart: {error}", flush=True)
            traceback.print_exc(limit=3)
            print(broker.log_tail(), file=sys.stderr)
        started = time.monotonic()
        try:
            from broker_process import free_port
            check_bad_or_unreachable_ensemble_fails_startup(args.broker, free_port)
            passed += 1
            print(f"PASS zk_bad_or_unreachable_ensemble_fails_startup ({time.monotonic() - started:.1f}s)", flush=True)
        except Exception as error:
            failed += 1
            print(f"FAIL zk_bad_or_unreachable_ensemble_fails_startup: {error}", flush=True)
    finally:
        if broker is not None and broker.alive():
            broker.stop()
        if zk_client is not None:
            zk_client.stop()
        zk.stop()
    if args.coordinator:
        started = time.monotonic()
        try:
            check_on_tern_ensemble(args.broker, args.coordinator)
            passed += 1
            print(f"PASS zk_on_tern_coordinator_x3 ({time.monotonic() - started:.1f}s)", flush=True)
        except Exception as error:
            failed += 1
            print(f"FAIL zk_on_tern_coordinator_x3: {error}", flush=True)
            traceback.print_exc(limit=3)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Runs the coordinator checks against Apache ZooKeeper and tern-coordinator alike: the kazoo
suite on a single node and on a 3-node ensemble (clients given every node, so tern followers
forward), then the fault scenario (SIGKILL of leader and follower) on a fresh 3-node ensemble.
Ends with one "N passed, N failed" line.

    python run_checks.py --tern-binary PATH [--only NAME]
"""

import argparse
import logging
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Tools", "zk-bench"))

from bench import find_leader, wait_serving  # noqa: E402
from check_coordinator import run_checks  # noqa: E402
from check_ensemble import fault_checks  # noqa: E402
from ensemble import Ensemble  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tern-binary", required=True)
    parser.add_argument("--only", help="run only kazoo checks whose name contains this; skips the fault scenario")
    args = parser.parse_args()
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)
    passed = failed = 0
    for kind in ("zookeeper", "tern"):
        for size in (1, 3):
            with Ensemble(kind, size, tern_binary=args.tern_binary) as ensemble:
                find_leader(ensemble)
                wait_serving(ensemble)
                p, f = run_checks(ensemble.hosts, f"{kind} x{size}", args.only)
                passed, failed = passed + p, failed + f
                if f:
                    for node in ensemble.nodes:
                        print(f"--- {kind} node {node.node_id} log tail ---\n{node.log_tail()}")
        if not args.only:
            p, f = fault_checks(kind, args.tern_binary)
            passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()

"""A deliberately small ZooKeeper client speaking jute over one socket, for load generation: it
pre-encodes requests and keeps a window of them in flight, so the client costs little next to the
server being measured. Only what the benchmark needs: connect, create, setData, getData, close."""

import socket
import struct
import time

OP_CREATE, OP_GETDATA, OP_SETDATA, OP_CLOSE = 1, 4, 5, -11
OPEN_ACL_UNSAFE = struct.pack(">i", 1) + struct.pack(">i", 31) + struct.pack(">i", 5) + b"world" \
    + struct.pack(">i", 6) + b"anyone"


def _string(value):
    raw = value.encode()
    return struct.pack(">i", len(raw)) + raw


def _buffer(raw):
    return struct.pack(">i", len(raw)) + raw


def _frame(body):
    return struct.pack(">i", len(body)) + body


class ZooKeeperError(Exception):
    def __init__(self, code, op):
        super().__init__(f"ZooKeeper error {code} for op {op}")
        self.code = code


class JuteConnection:
    def __init__(self, host, port, session_timeout_ms=30000):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.xid = 0
        connect = struct.pack(">iqiq", 0, 0, session_timeout_ms, 0) + _buffer(bytes(16)) + b"\x00"
        self.sock.sendall(_frame(connect))
        reply = self._read_frame()
        _, timeout, self.session_id = struct.unpack_from(">iiq", reply, 0)
        if timeout <= 0:
            raise RuntimeError("session refused")

    def _read_frame(self):
        while True:
            if len(self.buffer) >= 4:
                (length,) = struct.unpack_from(">i", self.buffer, 0)
                if len(self.buffer) >= 4 + length:
                    frame = bytes(self.buffer[4:4 + length])
                    del self.buffer[:4 + length]
                    return frame
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk

    def _next_xid(self):
        self.xid += 1
        return self.xid

    def encode(self, op, path, data=b"", version=-1):
        xid = self._next_xid()
        header = struct.pack(">ii", xid, op)
        if op == OP_CREATE:
            body = _string(path) + _buffer(data) + OPEN_ACL_UNSAFE + struct.pack(">i", 0)
        elif op == OP_SETDATA:
            body = _string(path) + _buffer(data) + struct.pack(">i", version)
        elif op == OP_GETDATA:
            body = _string(path) + b"\x00"
        else:
            raise ValueError(op)
        return xid, _frame(header + body)

    def read_reply(self):
        """Returns (xid, zxid, err), skipping watch events."""
        while True:
            frame = self._read_frame()
            xid, zxid, err = struct.unpack_from(">iqi", frame, 0)
            if xid != -1:
                return xid, zxid, err

    def run_window(self, requests, window, latencies=None):
        """Sends pre-encoded (xid, bytes) requests keeping `window` in flight; replies arrive in
        order. Records each request's latency in seconds when `latencies` is a list."""
        sent_at = {}
        next_send = 0
        received = 0
        total = len(requests)
        while received < total:
            batch = []
            while next_send < total and next_send - received < window:
                xid, raw = requests[next_send]
                sent_at[xid] = time.perf_counter()
                batch.append(raw)
                next_send += 1
            if batch:
                self.sock.sendall(b"".join(batch))
            xid, _, err = self.read_reply()
            if err != 0:
                raise ZooKeeperError(err, xid)
            if latencies is not None:
                latencies.append(time.perf_counter() - sent_at.pop(xid))
            received += 1

    def close(self):
        try:
            self.sock.sendall(_frame(struct.pack(">ii", self._next_xid(), OP_CLOSE)))
            self.read_reply()
        except OSError:
            pass
        self.sock.close()

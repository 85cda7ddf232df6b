"""Stream losses from a training loop to LossLens (live protocol v1). Standard library only:
copy this one file next to your training script.

    from losslens_client import LossLensClient

    with LossLensClient("mtl-seed0", "127.0.0.1", 6464) as lens:
        for step, batch in enumerate(loader):
            ...
            lens.log(step, {"loss/scene": scene_loss, "loss/depth": depth_loss,
                            "regularization/l2": l2, "total_loss": loss})
        lens.sync()   # optional: True once every record is on the server's disk

log() never blocks on the network and never raises: records wait in a bounded buffer (the
oldest are dropped when it is full) while a background thread sends them, reconnecting when the
viewer or recorder (re)starts. Values may be floats, ints, 0-d tensors or numpy scalars;
NaN and infinities are sent as such. Records sent to a server that then died may be lost:
sync() is how to know they are safe.

Protocol v1: one JSON object per line over TCP, e.g.
    {"run":"mtl-seed0","step":120,"wall_time":1700000000.25,"scalars":{"loss/scene":0.53}}
see docs/live-protocol.md.
"""

import collections
import itertools
import json
import logging
import math
import select
import socket
import threading
import time

__all__ = ["LossLensClient"]

_log = logging.getLogger("losslens")
_ROLES = ("component", "regularization", "total", "other")


class LossLensClient:
    """A connection to a LossLens live server that the training loop can never be hurt by."""

    def __init__(self, run, host="127.0.0.1", port=6464, token=None, meta=None,
                 max_buffer=100_000, connect_timeout=2.0):
        self.run = str(run)
        self.host = host
        self.port = int(port)
        self.dropped = 0          # records lost to a full buffer, bad values or a broken connection
        self.errors = collections.deque(maxlen=20)  # the server's last error messages
        self._token = token
        self._meta = meta
        self._max_buffer = max(1, int(max_buffer))
        self._connect_timeout = connect_timeout
        self._buffer = collections.deque()
        self._cond = threading.Condition()
        self._synced = {}
        self._sync_ids = itertools.count(1)
        self._stopping = False
        self._sock = None
        self._inbox = b""
        self._retry_at = 0.0
        self._backoff = 0.25
        self._warned = set()
        self._thread = threading.Thread(target=self._run, name="losslens-client", daemon=True)
        self._thread.start()

    # ---- the training loop's side ------------------------------------------------------
    def log(self, step, scalars, roles=None, wall_time=None):
        """Queues one record: `scalars` maps tag -> number; `roles` (optional) maps tag ->
        "component" | "regularization" | "total" | "other". Returns False if it was dropped."""
        try:
            values = {}
            for tag, value in scalars.items():
                values[str(tag)] = float(value)
            if not values:
                return False
            record = {"run": self.run, "step": int(step),
                      "wall_time": float(time.time() if wall_time is None else wall_time),
                      "scalars": values}
            if roles:
                record["roles"] = {str(t): r for t, r in roles.items() if r in _ROLES}
            line = json.dumps(record, allow_nan=True, separators=(",", ":")) + "\n"
        except Exception as e:  # a bad value must not stop training
            self._warn("value", "LossLens: record at step %r dropped: %s", step, e)
            self.dropped += 1
            return False
        self._enqueue(line.encode("utf-8"))
        return True

    def sync(self, timeout=10.0):
        """Waits until the server confirms every record logged so far is on its disk.
        Returns True on confirmation, False on timeout or a broken connection."""
        try:
            sync_id = "py-%d" % next(self._sync_ids)
            event = threading.Event()
            with self._cond:
                self._synced[sync_id] = event
            self._enqueue(json.dumps({"sync": sync_id}).encode() + b"\n")
            ok = event.wait(timeout)
            with self._cond:
                self._synced.pop(sync_id, None)
            return ok
        except Exception:
            return False

    def close(self, timeout=5.0):
        """Sends what is buffered (waiting at most `timeout` seconds) and disconnects."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _enqueue(self, line):
        with self._cond:
            if len(self._buffer) >= self._max_buffer:
                self._buffer.popleft()
                self.dropped += 1
            self._buffer.append(line)
            self._cond.notify()

    # ---- the background thread ---------------------------------------------------------
    def _run(self):
        while True:
            with self._cond:
                waiting = self._sock is None and time.monotonic() < self._retry_at
                if (not self._buffer or waiting) and not self._stopping:
                    self._cond.wait(0.05)
                stopping = self._stopping
                batch = []
                if self._sock is not None or stopping or time.monotonic() >= self._retry_at:
                    while self._buffer and len(batch) < 4096:
                        batch.append(self._buffer.popleft())
            try:
                if batch and not self._send(batch):
                    with self._cond:  # not connected: nothing was sent, keep the records
                        self._buffer.extendleft(reversed(batch))
                        overflow = len(self._buffer) - self._max_buffer
                        for _ in range(max(0, overflow)):
                            self._buffer.popleft()
                            self.dropped += 1
                self._read_replies()
            except Exception as e:  # never let the thread die
                self._warn("thread", "LossLens: %s", e)
                self._disconnect()
            with self._cond:
                done = stopping and (not self._buffer or self._sock is None)
            if done:
                break
        self._disconnect()

    def _send(self, batch):
        if self._sock is None and not self._connect():
            return False
        try:
            self._sock.sendall(b"".join(batch))
            return True
        except OSError as e:
            self._warn("send", "LossLens: connection lost (%s); reconnecting", e)
            self.dropped += len(batch)  # maybe partly delivered: resending could duplicate steps
            self._disconnect()
            return True

    def _connect(self):
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self._connect_timeout)
        except OSError as e:
            self._warn("connect", "LossLens: cannot connect to %s:%d (%s); will retry", self.host, self.port, e)
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, 5.0)
            return False
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(10.0)
        hello = {"run": self.run, "version": 1}
        if self._token:
            hello["token"] = self._token
        if self._meta is not None:
            hello["meta"] = self._meta
        try:
            sock.sendall(json.dumps({"hello": hello}, allow_nan=True, default=str).encode() + b"\n")
        except OSError:
            sock.close()
            return False
        self._sock, self._inbox, self._backoff = sock, b"", 0.25
        self._warned.discard("connect")
        return True

    def _disconnect(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._retry_at = time.monotonic() + self._backoff

    def _read_replies(self):
        while self._sock is not None and select.select([self._sock], [], [], 0)[0]:
            data = self._sock.recv(65536)
            if not data:
                self._warn("closed", "LossLens: the server closed the connection")
                self._disconnect()
                return
            self._inbox += data
            *lines, self._inbox = self._inbox.split(b"\n")
            for line in lines:
                self._handle_reply(line)

    def _handle_reply(self, line):
        try:
            reply = json.loads(line)
        except ValueError:
            return
        if "synced" in reply:
            with self._cond:
                event = self._synced.get(str(reply["synced"]))
            if event is not None:
                event.set()
        elif "error" in reply:
            self.errors.append(reply["error"])
            self._warn("error:" + str(reply.get("refused", "")), "LossLens server: %s", reply["error"])
            if reply.get("refused"):
                self._disconnect()

    def _warn(self, key, message, *args):
        # Once per kind of problem until it clears: a training log must not fill with these.
        if key not in self._warned:
            self._warned.add(key)
            _log.warning(message, *args)


if __name__ == "__main__":  # a quick demo: python3 losslens_client.py [PORT]
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6464
    with LossLensClient("python-demo", "127.0.0.1", port) as lens:
        for step in range(1, 501):
            a, b = 2.0 / math.sqrt(step), 0.5 * math.exp(-step / 150.0)
            lens.log(step, {"loss/a": a, "loss/b": b, "regularization/l2": 0.01, "total_loss": a + b + 0.01})
            time.sleep(0.01)
        print("synced" if lens.sync() else "not confirmed")

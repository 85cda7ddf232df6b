#!/usr/bin/python3
"""Event-file decoding speed: LossLens' C++ reader against Python's protobuf library.

Writes an event file of scalar events shaped like BM_TfeventsParse's (one simple_value per event,
PyTorch's add_scalar, ten tags cycling), decodes it in Python with the real protobuf library
(Event/Summary message classes generated at runtime from descriptor_pb2 via message_factory,
since tensorflow is not installed) and prints records per second. The Python loader only splits
the TFRecord framing and skips both CRCs, the favourable case for Python (TensorBoard's pure
Python CRC32C would make it many times slower). Then it runs `losslens-bench
--benchmark_filter=BM_TfeventsParse` (CRCs checked) and prints the ratio of bytes per second.

Usage: /usr/bin/python3 compare_tfevents_python.py [path/to/losslens-bench] [--mb 20]
Run with Debian's /usr/bin/python3, which has python3-protobuf.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.internal import api_implementation

try:
    from google.protobuf.message_factory import GetMessageClass
except ImportError:  # protobuf < 4.22
    from google.protobuf import message_factory

    def GetMessageClass(descriptor):
        return message_factory.MessageFactory().GetPrototype(descriptor)


TAGS = ["train/box_loss", "train/obj_loss", "train/cls_loss", "loss_rpn_cls", "loss_rpn_loc",
        "total_loss", "lr", "metrics/mAP_0.5", "val/box_loss", "data_time"]


def event_classes():
    """tensorflow.Event and Summary, reduced to the fields a scalar loader touches (same numbers)."""
    F = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="losslens_event.proto", package="tensorflow", syntax="proto3")
    summary = file.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL, oneof_index=0)
    value.field.add(name="node_name", number=7, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.oneof_decl.add(name="value")
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tensorflow.Summary.Value")
    event = file.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL, oneof_index=0)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                    type_name=".tensorflow.Summary", oneof_index=0)
    event.oneof_decl.add(name="what")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return (GetMessageClass(pool.FindMessageTypeByName("tensorflow.Event")),
            GetMessageClass(pool.FindMessageTypeByName("tensorflow.Summary")))


def masked_crc(data):
    # Only used to write the file; a table-driven CRC32C (Castagnoli), masked as TensorFlow does.
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


CRC_TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    CRC_TABLE.append(c)


def write_file(path, megabytes, Event):
    records = []
    ev = Event(wall_time=1.7e9, file_version="brain.Event:2")
    records.append(ev.SerializeToString())
    size, step = 0, 0
    while size < megabytes * 1e6:
        for tag in TAGS:
            e = Event(wall_time=1.7e9 + step * 0.1, step=step)
            e.summary.value.add(tag=tag, simple_value=1.0 / (step + 1))
            data = e.SerializeToString()
            records.append(data)
            size += len(data) + 16
        step += 1
    with open(path, "wb") as f:
        for data in records:
            header = struct.pack("<Q", len(data))
            f.write(header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data)))


def python_load(path, Event):
    """What a Python loader does: split TFRecords, parse each Event, collect scalars."""
    with open(path, "rb") as f:
        buf = f.read()
    out = {}
    pos, n, ev = 0, len(buf), Event()
    while pos + 12 <= n:
        (length,) = struct.unpack_from("<Q", buf, pos)
        data = buf[pos + 12: pos + 12 + length]
        pos += 12 + length + 4
        ev.ParseFromString(data)
        if ev.HasField("summary"):
            for v in ev.summary.value:
                out.setdefault(v.tag, []).append((ev.step, ev.wall_time, v.simple_value))
    return out, n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench", nargs="?", help="path to losslens-bench")
    parser.add_argument("--mb", type=float, default=20.0, help="size of the Python test file (MB)")
    args = parser.parse_args()
    Event, _ = event_classes()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.out.tfevents.0.bench")
        write_file(path, args.mb, Event)
        best = None
        for _ in range(3):
            start = time.perf_counter()
            scalars, size = python_load(path, Event)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        points = sum(len(v) for v in scalars.values())
    py_rate = size / best
    print(f"python protobuf ({api_implementation.Type()} backend, CRC not checked): "
          f"{size / 1e6:.1f} MB, {points} points in {best:.3f} s = {py_rate / 1e6:.2f} MB/s, {points / best / 1e6:.3f} M points/s")
    if not args.bench:
        return 0
    result = subprocess.run([args.bench, "--benchmark_filter=BM_TfeventsParse$|BM_TfeventsParse/",
                             "--benchmark_format=json"], capture_output=True, text=True, check=True)
    bench = json.loads(result.stdout)["benchmarks"][0]
    cpp_rate = bench["bytes_per_second"]
    print(f"losslens C++ (CRC checked): {cpp_rate / 1e6:.1f} MB/s, {bench['records/s'] / 1e6:.2f} M points/s")
    print(f"ratio: {cpp_rate / py_rate:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

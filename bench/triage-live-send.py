"""Bounded paced sender for bench/triage-live.ts: writes Ethernet frames onto one interface of a
network namespace the benchmark created (AF_PACKET, run through `ip netns exec`), cycling through
the frames of FILE ([u16 big-endian length][frame]...) at RATE frames/s until COUNT frames are sent or
LIMIT seconds have passed. Prints one JSON line: frames sent, seconds, achieved rate.

    python3 triage-live-send.py IFACE FILE RATE COUNT LIMIT
"""

import json
import socket
import struct
import sys
import time

iface, path, rate, count, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
with open(path, "rb") as f:
    data = f.read()
frames = []
at = 0
while at + 2 <= len(data):
    (n,) = struct.unpack_from(">H", data, at)
    frames.append(data[at + 2 : at + 2 + n])
    at += 2 + n
if not frames:
    sys.exit("no frames in " + path)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
send = s.send
sent = 0
start = time.perf_counter()
# Pace in ~1 ms slots: each slot sends what the rate allows by then (a late slot catches up).
while sent < count:
    now = time.perf_counter() - start
    if now >= limit:
        break
    due = min(count, int(now * rate) + 1)
    while sent < due:
        send(frames[sent % len(frames)])
        sent += 1
    time.sleep(0.0005)
elapsed = time.perf_counter() - start
print(json.dumps({"sent": sent, "seconds": round(elapsed, 3), "rate": round(sent / elapsed)}))

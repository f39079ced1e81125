#!/usr/bin/env python3
"""Issue 17's scale scenario: changes at a steady rate against a running daemon, each timed to the other side.

    scale_driver.py --work DIR --bin DIR --port PORT --pid DAEMON_PID --mailboxes N --minutes M

N changes spread evenly over M minutes, one per mailbox in a shuffled order (seed 17): even ones in the CRM (task
T{i}-0 gets the subject "CRM change K", imported once a second with whatever else is due, as a CRM export would),
odd ones in Outlook (appointment P{i}-0 edited to "Outlook change K" through the fake's /control/outlook-edit).
A CRM change has arrived when the fake's write log (--write-log) shows a client write with its subject; an Outlook
change when the store's activity carries its subject (read-only reads of the SQLite file every 100 ms).
Prints one JSON object: latencies (p50, p99, max per direction), changes not arrived, the daemon's CPU over the
window (from /proc), its peak RSS.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import threading
import time
import urllib.request

parser = argparse.ArgumentParser()
for name in ("--work", "--bin"):
    parser.add_argument(name, required=True)
for name in ("--port", "--pid", "--mailboxes"):
    parser.add_argument(name, required=True, type=int)
parser.add_argument("--minutes", type=float, default=10)
parser.add_argument("--grace", type=float, default=120, help="seconds to wait for the last changes")
args = parser.parse_args()

lock = threading.Lock()
sent = {}      # subject -> (direction, time it became visible on its own side)
arrived = {}   # subject -> time seen on the other side
outlook_pending = {}  # activity id -> subject


def cpu_seconds():
    fields = open(f"/proc/{args.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outlook_edit(mailbox, subject):
    body = json.dumps({"mailbox": mailbox, "count": 1, "offset": 1, "subject": subject}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}/control/outlook-edit", body,
                                     {"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def watch_writes(stop):
    """Client writes the fake reported: a CRM change's subject arriving in Exchange."""
    with open(os.path.join(args.work, "writes.log")) as log:
        while not stop.is_set():
            line = log.readline()
            if not line:
                time.sleep(0.05)
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[2].startswith("CRM change "):
                with lock:
                    arrived.setdefault(parts[2], float(parts[0]))


def watch_store(stop):
    """The store's activities: an Outlook change's subject arriving in the CRM."""
    db = sqlite3.connect(f"file:{os.path.join(args.work, 'bench.sqlite')}?mode=ro", uri=True, timeout=5)
    while not stop.is_set():
        with lock:
            pending = dict(outlook_pending)
        if pending:
            ids = list(pending)
            marks = ",".join("?" * len(ids))
            try:
                rows = db.execute(f"SELECT id, doc FROM activities WHERE id IN ({marks})", ids).fetchall()
            except sqlite3.OperationalError:
                rows = []
            now = time.time()
            with lock:
                for activity, doc in rows:
                    subject = pending[activity]
                    if json.loads(doc).get("subject") == subject:
                        arrived.setdefault(subject, now)
                        if outlook_pending.get(activity) == subject:
                            del outlook_pending[activity]
        time.sleep(0.1)


def import_crm(batch):
    document = {"activities": [{"id": f"T{i}-0", "type": "task", "owner": f"E{i}", "subject": subject,
                                "due": "2027-03-01T17:00:00Z"} for i, subject in batch]}
    path = os.path.join(args.work, "crm-change.json")
    with open(path, "w") as file:
        json.dump(document, file)
    subprocess.run([os.path.join(args.bin, "activity-sync"), "import", path], cwd=args.work, check=True,
                   stdout=subprocess.DEVNULL)
    committed = time.time()
    with lock:
        for _, subject in batch:
            sent[subject] = ("crm", committed)


order = list(range(1, args.mailboxes + 1))
random.Random(17).shuffle(order)
spacing = args.minutes * 60 / len(order)
stop = threading.Event()
watchers = [threading.Thread(target=watch_writes, args=(stop,)), threading.Thread(target=watch_store, args=(stop,))]
for watcher in watchers:
    watcher.start()

start_cpu, start = cpu_seconds(), time.time()
crm_due = []
next_import = start + 1
for k, mailbox in enumerate(order):
    due = start + k * spacing
    while True:
        now = time.time()
        if now >= next_import and crm_due:
            import_crm(crm_due)
            crm_due = []
            next_import = now + 1
        if now >= due:
            break
        time.sleep(min(due - now, max(next_import - now, 0.001), 0.05))
    subject = f"{'CRM' if k % 2 == 0 else 'Outlook'} change {k}"
    if k % 2 == 0:
        crm_due.append((mailbox, subject))
    else:
        outlook_edit(f"user{mailbox}@contoso.test", subject)
        with lock:
            sent[subject] = ("outlook", time.time())
            outlook_pending[f"P{mailbox}-0"] = subject
if crm_due:
    import_crm(crm_due)
end = time.time()
end_cpu = cpu_seconds()
deadline = end + args.grace
while time.time() < deadline:
    with lock:
        if len(arrived) >= len(sent):
            break
    time.sleep(0.5)
stop.set()
for watcher in watchers:
    watcher.join()


def summary(direction):
    latencies = sorted(arrived[s] - t for s, (d, t) in sent.items() if d == direction and s in arrived)
    missing = sum(1 for s, (d, _) in sent.items() if d == direction and s not in arrived)

    def pick(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3) if latencies else None
    return {"changes": len(latencies) + missing, "not_arrived": missing, "p50_seconds": pick(0.5),
            "p99_seconds": pick(0.99), "max_seconds": round(latencies[-1], 3) if latencies else None}


peak = next((line.split()[1] for line in open(f"/proc/{args.pid}/status") if line.startswith("VmHWM")), "0")
window = end - start
print(json.dumps({
    "window_seconds": round(window, 1), "changes": len(sent),
    "daemon_cpu_seconds": round(end_cpu - start_cpu, 2),
    "daemon_cpu_ms_per_change": round((end_cpu - start_cpu) / max(len(sent), 1) * 1000, 2),
    "daemon_average_cores": round((end_cpu - start_cpu) / window, 3),
    "daemon_peak_rss_kb": int(peak),
    "crm_to_exchange": summary("crm"), "outlook_to_crm": summary("outlook"),
}))

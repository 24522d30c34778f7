"""What an outbox costs (issue 21), in one run, as ratios to a baseline measured here:

1. publish(): one event stored for 1 and for 3 receivers in SQLite (synchronous=FULL),
   beside the audit trail's own begin() of a Stop (one row, the same database);
2. delivery: events sent from the outbox to a local receiver (claim, POST, mark),
   beside plain signed requests.post calls to the same receiver.

    .venv/bin/python bench/notify_outbox.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from opsweb.actions import audit  # noqa: E402
from opsweb.notify.outbox import Outbox  # noqa: E402
from opsweb.notify.sender import Sender  # noqa: E402
from opsweb.notify.webhook import Receiver as Target  # noqa: E402
from opsweb.notify.webhook import Webhooks, sign  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402

N = 200


def per_call(action, n: int = N) -> float:
    started = time.perf_counter()
    for _ in range(n):
        action()
    return (time.perf_counter() - started) / n * 1000


def main() -> None:
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as folder:
        store = audit.open_store(f"sqlite:///{folder}/audit.db")
        targets = tuple(Target(f"{receiver.url}/{i}") for i in range(3))
        one, three = Outbox(store, targets[:1]), Outbox(store, targets)
        one.publish("incident.opened", text="warm-up")
        text = "Failure loop: Archivist (Acme Ops) failed 3 runs in a row"
        base = statistics.median(per_call(lambda: store.begin("cancel", "bench", "127.0.0.1"))
                                 for _ in range(3))
        p1 = statistics.median(per_call(lambda: one.publish("incident.opened", text=text))
                               for _ in range(3))
        p3 = statistics.median(per_call(lambda: three.publish("incident.opened", text=text))
                               for _ in range(3))
        print(f"publish, 1 receiver : {p1:.2f} ms  ({p1 / base:.2f}x an audit begin, {base:.2f} ms)")
        print(f"publish, 3 receivers: {p3:.2f} ms  ({p3 / base:.2f}x)")

        store.run("DELETE FROM opsweb_notifications", ())
        for _ in range(N):
            one.publish("incident.opened", text=text)
        sender = Sender(one, targets[0], Webhooks("bench-secret"), "opsweb")
        started = time.perf_counter()
        while sender.tick():
            pass
        outbox_ms = (time.perf_counter() - started) / N * 1000
        session = requests.Session()
        body = b'{"event":"incident.opened","text":"bench"}'
        plain_ms = per_call(lambda: session.post(
            targets[0].url, data=body, timeout=5,
            headers={"X-Opsweb-Signature": sign(body, "bench-secret")}).close())
        print(f"delivery from the outbox: {outbox_ms:.2f} ms per event  ({outbox_ms / plain_ms:.2f}x"
              f" a plain signed POST, {plain_ms:.2f} ms); {one.pending()} left pending")
        store.close()
    receiver.stop()


if __name__ == "__main__":
    main()

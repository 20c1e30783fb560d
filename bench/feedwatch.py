"""A bare kafka-python consumer beside the pipeline, in its own process: the broker's own produce→consume
latency on the events topic, and when each stamp first appears on the change feed."""
from __future__ import annotations

import time

from support import wait_for


def observe_main(conn, bootstrap: str, events_topic: str, updates_topic: str) -> None:  # type: ignore[no-untyped-def]
    """A bare kafka-python consumer (default fetch settings, as the ingest worker's) on the events topic
    and the change feed: for each stamp, (sent_ns, consumed_ns, record CreateTime ms). On the feed a
    stamp counts once, at the first feed message that carries it."""
    import re
    from array import array

    from kafka import KafkaConsumer, TopicPartition
    found = re.compile(rb'"sent_ns":(\d+)')
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="bench-observer")
    parts = []
    for topic in (events_topic, updates_topic):
        wait_for(lambda: consumer.partitions_for_topic(topic), 30, f"partitions of {topic}")  # noqa: B023
        parts += [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(parts)
    consumer.seek_to_end(*parts)
    for tp in parts:
        consumer.position(tp)
    conn.send("ready")
    broker, feed, seen = array("q"), array("q"), set()
    while True:
        polled = consumer.poll(timeout_ms=50)
        recv = time.time_ns()
        for tp, batch in polled.items():
            for record in batch:
                if tp.topic == events_topic:
                    match = found.search(record.value)
                    if match:
                        broker.extend((int(match.group(1)), recv, record.timestamp))
                    continue
                for match in found.finditer(record.value):
                    sent = int(match.group(1))
                    if sent not in seen:
                        seen.add(sent)
                        feed.extend((sent, recv, record.timestamp))
        if conn.poll():
            if conn.recv() != "collect":
                break
            conn.send((broker.tobytes(), feed.tobytes()))
            broker, feed = array("q"), array("q")
    consumer.close()
    conn.send("closed")


class Observer:
    def __init__(self, bootstrap: str, events_topic: str, updates_topic: str) -> None:
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=observe_main, args=(child, bootstrap, events_topic, updates_topic),
                                   daemon=True)
        self.process.start()
        if not self.conn.poll(60) or self.conn.recv() != "ready":
            raise RuntimeError("observer consumer did not start")

    def collect(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        from array import array
        self.conn.send("collect")
        out = []
        for raw in self.conn.recv():
            values = array("q")
            values.frombytes(raw)
            out.append(list(zip(values[0::3], values[1::3], values[2::3])))
        return out[0], out[1]

    def close(self) -> None:
        self.conn.send("close")
        self.conn.poll(10)
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()

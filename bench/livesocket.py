"""Many Socket.IO clients of /live from one process, without extra packages: a minimal asyncio WebSocket
client speaking the Engine.IO 4 / Socket.IO 5 text protocol (what python-socketio's client sends with
transports=["websocket"]), and a worker process that holds a fleet of them and takes commands over a pipe.

A client records, for every `update` or `snapshot`, the receive time (time.time_ns() once the whole frame
is read) and every `"sent_ns":N` stamp in it it had not seen before (a regex over the text: the stamp is
the one number the benchmark needs, so the full JSON is not parsed on the hot path).
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import struct
import time
from array import array
from multiprocessing.connection import Connection
from typing import Any

STAMP = re.compile(rb'"sent_ns":(\d+)')
NS = "/live"


class Closed(Exception):
    pass


class LiveSocket:
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.seen: set[int] = set()
        self.waiter: asyncio.Future[tuple[str, bytes]] | None = None
        self.armed = False
        self.open = False

    async def connect(self, host: str, port: int, token: str) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port, limit=1 << 22)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise Closed(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        opened = await self._message()
        if not opened.startswith(b"0"):
            raise Closed(f"no Engine.IO open packet: {opened[:80]!r}")
        self.send(f"40{NS}," + json.dumps({"token": token}))
        answer = await self._message()
        if not answer.startswith(f"40{NS},".encode()):
            raise Closed(f"namespace refused: {answer[:120]!r}")
        self.open = True
        self.task = asyncio.create_task(self._run())

    async def request(self, event: str, data: Any, timeout: float) -> str:
        """Emit an event and wait for the next snapshot / not_found; returns which one came."""
        self.waiter = asyncio.get_running_loop().create_future()
        self.send(f"42{NS}," + json.dumps([event, data]))
        name, _ = await asyncio.wait_for(self.waiter, timeout)
        return name

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81, 0x80 | n]) if n < 126 else (
            struct.pack("!BBH", 0x81, 0x80 | 126, n) if n < 65536 else struct.pack("!BBQ", 0x81, 0xFF, n))
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        self.writer.write(head + mask + (int.from_bytes(data, "big") ^ key).to_bytes(n, "big"))

    async def _frame(self) -> tuple[bool, int, bytes]:
        b1, b2 = await self.reader.readexactly(2)
        n = b2 & 0x7F
        if n == 126:
            n = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        if b2 & 0x80:
            raise Closed("server frames must not be masked")
        return bool(b1 & 0x80), b1 & 0x0F, await self.reader.readexactly(n) if n else b""

    async def _message(self) -> bytes:
        parts = []
        while True:
            fin, opcode, payload = await self._frame()
            if opcode == 0x8:
                raise Closed("close frame")
            if opcode == 0x9:
                self._control(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return parts[0] if len(parts) == 1 else b"".join(parts)

    def _control(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        self.writer.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask
                          + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    async def _run(self) -> None:
        prefix = f"42{NS},[\"".encode()
        try:
            while True:
                message = await self._message()
                recv_ns = time.time_ns()
                if message == b"2":
                    self.send("3")  # Engine.IO ping from the server: pong
                elif message.startswith(prefix):
                    name = message[len(prefix):message.index(b'"', len(prefix))].decode()
                    self.fleet.received(self, name, message, recv_ns)
                    if self.waiter and not self.waiter.done() and name in ("snapshot", "not_found"):
                        self.waiter.set_result((name, message))
                elif message.startswith((b"1", f"41{NS}".encode())):
                    raise Closed("closed by the server")
        except (Closed, asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            if self.open:
                self.fleet.disconnects += 1
            self.open = False

    def close(self) -> None:
        self.open = False
        if hasattr(self, "task"):
            self.task.cancel()
        if hasattr(self, "writer"):
            self.writer.close()


class Fleet:
    """The sockets of one worker process and what they received."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sockets: list[LiveSocket] = []
        self.tokens: list[str] = []  # those of the last connect, for reconnect
        self.stamps = array("q")  # sent_ns, recv_ns, sent_ns, recv_ns, ...
        self.firsts = array("q")  # recv_ns of the first update of each armed socket
        self.updates = 0
        self.disconnects = 0

    def received(self, sock: LiveSocket, name: str, message: bytes, recv_ns: int) -> None:
        if name == "update":
            self.updates += 1
            if sock.armed:
                sock.armed = False
                self.firsts.append(recv_ns)
        for match in STAMP.finditer(message):
            sent = int(match.group(1))
            if sent not in sock.seen:
                sock.seen.add(sent)
                if name == "update":
                    self.stamps.extend((sent, recv_ns))

    async def connect(self, tokens: list[str], concurrency: int) -> dict[str, Any]:
        gate = asyncio.Semaphore(concurrency)
        errors: list[str] = []

        async def one(token: str) -> None:
            async with gate:
                sock = LiveSocket(self)
                try:
                    await asyncio.wait_for(sock.connect(self.host, self.port, token), 60)
                    self.sockets.append(sock)
                except (TimeoutError, Closed, OSError, asyncio.IncompleteReadError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    sock.close()

        self.tokens = tokens
        started = time.perf_counter()
        await asyncio.gather(*(one(t) for t in tokens))
        return {"connected": len(self.sockets), "failed": len(errors), "errors": errors[:5],
                "seconds": time.perf_counter() - started}

    async def reconnect(self, concurrency: int) -> dict[str, Any]:
        """Close every socket (as a closed browser tab does) and connect anew with the same tokens."""
        for sock in self.sockets:
            sock.close()
        self.sockets = []
        return await self.connect(self.tokens, concurrency)

    async def subscribe(self, messages: list[Any], concurrency: int, first: int = 0) -> dict[str, Any]:
        """Socket first+i sends messages[i]; counts the snapshots and refusals that come back."""
        gate = asyncio.Semaphore(concurrency)
        outcome = {"snapshot": 0, "not_found": 0, "timeout": 0}

        async def one(sock: LiveSocket, message: Any) -> None:
            async with gate:
                try:
                    outcome[await sock.request("subscribe", message, 60)] += 1
                except (TimeoutError, OSError):
                    outcome["timeout"] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(s, m) for s, m in zip(self.sockets[first:], messages)))
        return {**outcome, "seconds": time.perf_counter() - started}

    def command(self, name: str, args: dict[str, Any]) -> Any:
        if name == "arm":
            self.firsts = array("q")
            for sock in self.sockets:
                sock.armed = True
            return len(self.sockets)
        if name == "count":
            return {"stamps": len(self.stamps) // 2, "firsts": len(self.firsts), "updates": self.updates,
                    "sockets": len(self.sockets),
                    "open": sum(s.open for s in self.sockets), "disconnects": self.disconnects}
        if name == "collect":
            stamps, self.stamps = self.stamps, array("q")
            return {"stamps": stamps.tobytes(), "firsts": self.firsts.tobytes()}
        raise ValueError(f"unknown command {name}")


def fleet_main(conn: Connection, host: str, port: int, nofile: int) -> None:
    """Entry point of a client worker process: answers commands from `conn` until ("close", {})."""
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    except (ValueError, OSError):
        pass

    async def main() -> None:
        fleet = Fleet(host, port)
        loop = asyncio.get_running_loop()
        while True:
            name, args = await loop.run_in_executor(None, conn.recv)
            if name == "close":
                for sock in fleet.sockets:
                    sock.close()
                conn.send("closed")
                return
            if name == "connect":
                result = await fleet.connect(args["tokens"], args.get("concurrency", 50))
            elif name == "reconnect":
                result = await fleet.reconnect(args.get("concurrency", 50))
            elif name == "subscribe":
                result = await fleet.subscribe(args["messages"], args.get("concurrency", 50), args.get("first", 0))
            else:
                result = fleet.command(name, args)
            conn.send(result)

    asyncio.run(main())


def pairs(raw: bytes) -> list[tuple[int, int]]:
    values = array("q")
    values.frombytes(raw)
    return list(zip(values[0::2], values[1::2]))


def longs(raw: bytes) -> list[int]:
    values = array("q")
    values.frombytes(raw)
    return list(values)


class Fleets:
    """Client worker processes (spawned) and a blocking call that asks all of them at once."""

    def __init__(self, processes: int, host: str, port: int, nofile: int) -> None:
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        self.links = []
        for _ in range(processes):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=fleet_main, args=(child, host, port, nofile), daemon=True)
            process.start()
            self.links.append((process, parent))

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self.links if p.pid]

    def call(self, name: str, args: list[dict[str, Any]] | dict[str, Any] | None = None,
             timeout: float = 600) -> list[Any]:
        per = args if isinstance(args, list) else [args or {}] * len(self.links)
        for (_, conn), one in zip(self.links, per):
            conn.send((name, one))
        answers = []
        for process, conn in self.links:
            if not conn.poll(timeout):
                raise TimeoutError(f"client process {process.pid} did not answer {name} in {timeout}s")
            answers.append(conn.recv())
        return answers

    def close(self) -> None:
        for process, conn in self.links:
            try:
                conn.send(("close", {}))
                conn.poll(10) and conn.recv()
            except (OSError, EOFError):
                pass
            process.join(10)
            if process.is_alive():
                process.terminate()

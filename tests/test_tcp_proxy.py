"""The relay the fault tests cut in front of PostgreSQL: a cut ends the server's side of every session
too. (It used to close the sockets while its pump threads were blocked reading them, which left them
open: a session cut inside a transaction kept its locks for ever, and the next TRUNCATE waited.)"""
from __future__ import annotations

import time

from sqlalchemy import text

from models.db import make_engine
from tests.support.tcp_proxy import TcpProxy


def test_a_cut_ends_the_servers_side_of_a_session_in_a_transaction(postgres_url: str) -> None:
    proxy = TcpProxy.before(postgres_url)
    relayed, direct = make_engine(proxy.url(postgres_url)), make_engine(postgres_url)
    connection = relayed.connect()
    try:
        connection.execute(text("SELECT count(*) FROM users"))  # a transaction holding a lock
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        proxy.cut()
        deadline = time.monotonic() + 10
        with direct.connect() as watcher:
            while watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                  {"pid": backend}).scalar_one():
                assert time.monotonic() < deadline, "the server kept the cut session"
                time.sleep(0.2)
                watcher.rollback()  # pg_stat_activity is read once a transaction
    finally:
        proxy.cut()
        connection.invalidate()  # its socket is gone; closed here, not by a finaliser later
        connection.close()
        relayed.dispose()
        direct.dispose()

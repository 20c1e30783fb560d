"""The `clearance` command: --help everywhere, and show/publish on real data."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from clearance.cli import build_parser
from models.db import make_engine, session_factory
from models.operations import store_events
from tests.conftest import settings_env
from tests.support.factories import CONTAINER, doc, event
from tests.support.pipeline import read_all

SUBCOMMANDS = [[], ["kafka"], ["kafka", "start"], ["kafka", "stop"], ["kafka", "status"], ["db"],
               ["db", "upgrade"], ["ingest"], ["simulate"], ["publish"], ["show"], ["run"], ["alerts"],
               ["audit"], ["audit", "prune"]]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w) or "clearance")
def test_every_subcommand_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*words, "--help"])
    assert exited.value.code == 0
    assert "usage: clearance" in capsys.readouterr().out


def clearance(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clearance.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_show_json_is_the_same_on_both_databases(sqlite_url, postgres_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import truncate
    truncate(postgres_url)
    events = [event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"),
              event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00")]
    printed = []
    for url in (sqlite_url, postgres_url):
        engine = make_engine(url)
        with session_factory(engine)() as session:
            store_events(session, list(reversed(events)) if url == postgres_url else events)
            session.commit()
        engine.dispose()
        result = clearance(settings_env(make_settings(url)), "show", CONTAINER, "--json")
        assert result.returncode == 0, result.stderr
        printed.append(result.stdout)
    assert printed[0] == printed[1]
    assert [e["type"] for e in json.loads(printed[0])["visits"][0]["timeline"]] == ["GATE_IN", "ARRIVAL_REPORTED"]


def test_show_unknown_and_malformed(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    env = settings_env(make_settings(sqlite_url))
    assert clearance(env, "show", "APZU4812090").returncode == 1
    bad = clearance(env, "show", "CICU3789921")
    assert bad.returncode == 2 and "check digit" in bad.stderr


def test_publish_checks_every_line_then_sends(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url)
    env = settings_env(settings)
    good = json.dumps(doc("GATE_IN", "p1", "2026-11-20T08:00:00+08:00"))
    refused = clearance(env, "publish", "-", stdin=good + "\n{\"type\": 1}\n")
    assert refused.returncode == 1 and "line 2:" in refused.stderr and "nothing sent" in refused.stderr
    sent = clearance(env, "publish", "-", stdin=good + "\n\n")
    assert sent.returncode == 0, sent.stderr
    [record] = read_all(settings.kafka_bootstrap_servers, settings.events_topic)
    assert record.key == b"CICU3789922"
    assert json.loads(record.value)["event_id"] == "p1"

"""The page's ISO 6346 check (static/js/iso6346.js) says what events/identifiers.py (python-stdnum) says,
in a real Chromium, on many numbers; the reasons of the API land next to the fields they name."""
from __future__ import annotations

import functools
import http.server
import random
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from stdnum import iso6346

from clearance.config import PROJECT_ROOT
from events import identifiers
from tests.support.http import free_port


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    """static/ served on loopback (ES modules load only over HTTP), with a blank page to import them into."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(PROJECT_ROOT))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def numbers(count: int) -> list[str]:
    pick = random.Random(6346)
    owners = ["CICU", "APZU", "MSKU", "TGHU", "SITU", "OOLU", "BMOU", "TCLJ", "ABCZ"]
    prefixes = [pick.choice(owners) + f"{pick.randrange(10**6):06d}" for _ in range(count)]
    return [p + iso6346.calc_check_digit(p) for p in prefixes] + [p + str((int(iso6346.calc_check_digit(p)) + 1) % 10)
                                                                  for p in prefixes[:50]]


def verdict(number: str) -> object:
    try:
        identifiers.container_no(number)
        return None
    except ValueError:
        expected = iso6346.calc_check_digit(number[:10])
        return {"problem": "check", "expected": expected, "suggestion": number[:10] + expected, "given": number[10]}


def test_the_page_checks_container_numbers_as_the_contract_does(page: Page, static_url: str) -> None:
    page.goto(f"{static_url}/static/favicon.svg")
    cases = numbers(400) + ["CICU3789922", "CICU378992", "CICU37899", "CIC3789922", "cicu3789922", "CICU37899222"]
    found = page.evaluate("""async (cases) => {
        const { containerProblem } = await import('/static/js/iso6346.js');
        return cases.map((c) => containerProblem(c));
    }""", cases)
    for number, answer in zip(cases[:450], found[:450]):
        assert answer == verdict(number), number
    assert found[450:] == [None, {"problem": "check", "expected": "2", "suggestion": "CICU3789922", "given": ""},
                           {"problem": "form"}, {"problem": "form"}, None, {"problem": "form"}]


def test_reasons_are_split_by_the_field_they_name(page: Page, static_url: str) -> None:
    page.goto(f"{static_url}/static/favicon.svg")
    found = page.evaluate("""async () => {
        const { reasonsByField } = await import('/static/js/fielderrors.js');
        return reasonsByField([
          'container_no: bad ISO 6346 check digit 3 (expected 2); voyage: 1 to 16 letters, digits or _ . - /',
          'publisher: must be your terminal YTCT, not YTGD', 'container CICU3789922: visit EXPORT/-/- is not yours to add to',
          'detail.gate: control character U+0000', 'the event is 70000 bytes as a message'],
          ['container_no', 'voyage', 'publisher', 'detail']);
    }""")
    assert found == {"container_no": ["bad ISO 6346 check digit 3 (expected 2)",
                                      "container CICU3789922: visit EXPORT/-/- is not yours to add to"],
                     "voyage": ["1 to 16 letters, digits or _ . - /"],
                     "publisher": ["must be your terminal YTCT, not YTGD"],
                     "detail": ["control character U+0000"], "": ["the event is 70000 bytes as a message"]}

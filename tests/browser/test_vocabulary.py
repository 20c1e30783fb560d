"""The page's copy of the event vocabulary (static/js/vocabulary.js) says what events/vocabulary.py says."""
from __future__ import annotations

import json
import re

from clearance.config import PROJECT_ROOT
from events.vocabulary import EVENT_TYPES, Stage

SOURCE = (PROJECT_ROOT / "static" / "js" / "vocabulary.js").read_text(encoding="utf-8")


def _js_constant(name: str) -> object:
    match = re.search(rf"^export const {name} = (.*?);$", SOURCE, re.MULTILINE | re.DOTALL)
    assert match, f"{name} not found in static/js/vocabulary.js"
    return json.loads(match.group(1))


def test_event_types_match_the_vocabulary() -> None:
    expected = {name: {"stage": t.stage.value, "en": t.en, "zh": t.zh} for name, t in EVENT_TYPES.items()}
    assert _js_constant("EVENT_TYPES") == expected


def test_event_types_keep_the_order_of_a_container_life() -> None:
    assert list(_js_constant("EVENT_TYPES")) == list(EVENT_TYPES)  # type: ignore[call-overload]


def test_stages_match_the_vocabulary() -> None:
    assert _js_constant("STAGES") == [s.value for s in Stage]

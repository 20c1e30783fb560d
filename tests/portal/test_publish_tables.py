"""POST /api/v1/events with a CSV or XLSX table, on the real broker and both databases: each row checked
like a JSON event, defaults for what a row leaves out, event ids derived from the content (the same file
twice publishes the same events), a dry run that publishes nothing, and the template."""
from __future__ import annotations

import io
import json
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook

from clearance.config import Settings
from portal.events.tables import XLSX_MEDIA
from tests.portal.conftest import Person
from tests.portal.world import USCC_A
from tests.support.pipeline import read_all

NEW_BOX, OTHER_BOX = "TCLU1234568", "MSCU7654329"
HEADER = "type,occurred_at,direction,container_no,vessel_imo,voyage,enterprise_uscc,publisher,detail.gate"
ROWS = [
    f"GATE_IN,2026-11-20 08:00:00,EXPORT,{NEW_BOX},9074729,024E,{USCC_A},,G03",  # 0 good, Yantai time
    f"GATE_IN,2026-11-20T08:10:00+08:00,EXPORT,TCLU1234569,,,{USCC_A},,G04",  # 1 bad check digit
    f"TEA_BREAK,2026-11-20T08:20:00+08:00,EXPORT,{OTHER_BOX},,,{USCC_A},,",  # 2 no such type
    f"ARRIVAL_REPORTED,2026-11-20T08:05:00+08:00,EXPORT,{NEW_BOX},9074729,024E,{USCC_A},,",  # 3 good
    ",,,,,,,,",  # 4 blank: skipped, keeps its number
    f"GATE_IN,2026-11-20T08:30:00+08:00,EXPORT,{OTHER_BOX},,,{USCC_A},YTGD,",  # 5 another terminal's
]
CSV = ("\n".join([HEADER, *ROWS]) + "\n").encode()


def post_table(client: FlaskClient, person: Person, body: bytes, media: str = "text/csv",
               **query: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/events", data=body, content_type=media, query_string=query,
                       headers=person.headers)


def on_topic(settings: Settings) -> list[dict]:
    return [json.loads(r.value) for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)]


def test_a_csv_publishes_its_good_rows_and_names_each_bad_rows_reasons(
        client: FlaskClient, people: dict[str, Person], portal_settings: Settings) -> None:
    response = post_table(client, people["terminal_ytct"], CSV)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    reasons = {r["index"]: " ".join(r["reasons"]) for r in body["rejected"]}
    assert sorted(reasons) == [1, 2, 5]
    assert "container_no: bad ISO 6346 check digit 9 (expected 8)" in reasons[1]
    assert "type: Must be one of" in reasons[2]
    assert "publisher: must be your terminal YTCT, not YTGD" in reasons[5]
    assert [row["index"] for row in body["rows"]] == [0, 1, 2, 3, 5]
    assert [row["index"] for row in body["rows"] if "event" in row] == [0, 3]
    assert body["rows"][2]["document"]["type"] == "TEA_BREAK"
    published = {e["event_id"]: e for e in on_topic(portal_settings)}
    assert set(published) == set(body["accepted"]) and len(published) == 2
    gate_in = next(e for e in published.values() if e["type"] == "GATE_IN")
    assert gate_in["event_id"].startswith("YTCT-T-")
    assert (gate_in["source"], gate_in["publisher"], gate_in["terminal"]) == ("TERMINAL", "YTCT", "YTCT")
    assert gate_in["occurred_at"] == "2026-11-20T00:00:00.000000Z"  # 08:00 Yantai time
    assert gate_in["detail"] == {"gate": "G03"} and gate_in["vessel_imo"] == "9074729"


def test_the_same_file_twice_publishes_the_same_events(client: FlaskClient, people: dict[str, Person],
                                                       portal_settings: Settings) -> None:
    first = post_table(client, people["terminal_ytct"], CSV).get_json()
    again = post_table(client, people["terminal_ytct"], CSV).get_json()
    assert first["accepted"] == again["accepted"]
    messages = on_topic(portal_settings)
    assert len(messages) == 4 and len({json.dumps(m, sort_keys=True) for m in messages}) == 2
    edited = post_table(client, people["terminal_ytct"], CSV.replace(b"G03", b"G05")).get_json()
    assert edited["accepted"][0] != first["accepted"][0] and edited["accepted"][1] == first["accepted"][1]


def test_a_dry_run_gives_the_same_verdict_and_publishes_nothing(
        client: FlaskClient, people: dict[str, Person], portal_settings: Settings) -> None:
    dry = post_table(client, people["terminal_ytct"], CSV, dry_run="1")
    assert dry.status_code == 200 and dry.get_json()["dry_run"] is True
    assert on_topic(portal_settings) == []
    real = post_table(client, people["terminal_ytct"], CSV).get_json()
    assert dry.get_json()["accepted"] == real["accepted"] and dry.get_json()["rejected"] == real["rejected"]
    assert dry.get_json()["rows"] == real["rows"]


def test_a_table_with_no_good_row_is_400(client: FlaskClient, people: dict[str, Person]) -> None:
    response = post_table(client, people["terminal_ytct"], "\n".join([HEADER, ROWS[1], ROWS[2]]).encode())
    assert response.status_code == 400
    assert response.get_json()["error"] == "no_event_accepted"
    assert [r["index"] for r in response.get_json()["rejected"]] == [0, 1]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_reads_dates_as_yantai_time_and_numbers_as_the_contract_wants(
        client: FlaskClient, people: dict[str, Person], portal_settings: Settings) -> None:
    body = xlsx([["type", "occurred_at", "direction", "container_no", "vessel_imo", "voyage", "enterprise_uscc",
                  "schema_version", "detail"],
                 ["LOADED", datetime(2026, 11, 21, 2, 18, 44), "EXPORT", NEW_BOX, 9074729, "024E", USCC_A, 1,
                  '{"crane": "QC03"}'],
                 ["LOADED", "yesterday", "EXPORT", OTHER_BOX, 9074729, "024E", USCC_A, 1, "{not json"]])
    response = post_table(client, people["port_office"], body, XLSX_MEDIA, terminal="YTCT")
    assert response.status_code == 202, response.get_json()
    [rejected] = response.get_json()["rejected"]
    assert rejected["index"] == 1
    assert "detail: not a JSON object" in rejected["reasons"][0] and "occurred_at" in " ".join(rejected["reasons"])
    [loaded] = on_topic(portal_settings)
    assert loaded["occurred_at"] == "2026-11-20T18:18:44.000000Z"
    assert (loaded["publisher"], loaded["terminal"], loaded["detail"]) == ("YTCT", "YTCT", {"crane": "QC03"})


def test_unreadable_tables_are_400(client: FlaskClient, people: dict[str, Person]) -> None:
    for body, media, words in [(b"PK\x03\x04 not a zip", XLSX_MEDIA, "not a readable XLSX"),
                               (b"", "text/csv", "empty"), (b"type,occurred_at\r\n", "text/csv", "no event")]:
        response = post_table(client, people["terminal_ytct"], body, media)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"] == "invalid_request" and words in response.get_json()["message"]


def test_templates_name_the_contract_fields(client: FlaskClient, people: dict[str, Person]) -> None:
    csv_answer = client.get("/api/v1/events/template", headers=people["terminal_ytct"].headers)
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    header = csv_answer.get_data().decode("utf-8-sig").strip().split(",")
    assert header[:4] == ["event_id", "type", "occurred_at", "direction"] and "detail.gate" in header
    xlsx_answer = client.get("/api/v1/events/template?format=xlsx", headers=people["terminal_ytct"].headers)
    book = load_workbook(io.BytesIO(xlsx_answer.get_data()))
    assert book.sheetnames == ["events", "fields"]
    assert [c.value for c in book["events"][1]] == header
    # The template itself uploads as a table with no rows.
    empty = post_table(client, people["terminal_ytct"], csv_answer.get_data())
    assert empty.status_code == 400 and "no event" in empty.get_json()["message"]

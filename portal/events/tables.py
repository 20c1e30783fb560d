"""Events as a table: CSV or XLSX uploads to POST /api/v1/events, and the template to fill in.

The header row names contract fields (docs/contract.md section 2); `detail.<key>` columns fill `detail`
key by key (or a `detail` column holds a JSON object). Each later row is one event, numbered from 0;
wholly blank rows are skipped but keep their number. Cells are text as the contract expects, except:

- a timestamp without a UTC offset (and an XLSX date cell) is Yantai time, Asia/Shanghai (+08:00);
- `containers` is a list separated by commas, semicolons or spaces;
- `schema_version` and numbers in XLSX cells become the JSON numbers or the text the contract wants.
What a row leaves out defaults (`TableDefaults`): schema_version 1, the caller's source and publisher, a
TERMINAL row's `terminal` its publisher, and `event_id` derived from the row's content, so that the same
file uploaded twice publishes the same events, which changes nothing.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from openpyxl import Workbook, load_workbook

from events.vocabulary import SCHEMA_VERSION

CSV_MEDIA = "text/csv"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = timezone(timedelta(hours=8))
MAX_XLSX_UNPACKED = 64 * 1024 * 1024  # a zip bomb is refused before a cell is read
COLUMNS = ("event_id", "type", "occurred_at", "direction", "container_no", "vessel_imo", "voyage",
           "enterprise_uscc", "declaration_no", "bl_no", "classifier", "updated_at", "terminal", "publisher",
           "source", "schema_version", "containers", "declarant_uscc", "customs_code", "port", "retracts",
           "detail")
TEMPLATE_DETAIL = ("detail.gate", "detail.truck_plate", "detail.seal_no", "detail.crane", "detail.yard_slot",
                   "detail.location", "detail.remark")
_TIMESTAMPS = ("occurred_at", "updated_at")
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class UnreadableTable(ValueError):
    """The upload is not a table this module can read at all (nothing of it is published)."""


@dataclass(frozen=True)
class TableDefaults:
    """What a row that leaves a field out gets: the caller's source and publisher."""

    source: str
    publisher: str | None


@dataclass(frozen=True)
class TableRow:
    """One data row: its number (from 0), the event document it makes, or why it makes none."""

    index: int
    document: dict[str, Any]
    problem: str | None = None


def read_table(body: bytes, media_type: str, defaults: TableDefaults) -> list[TableRow]:
    """The rows of a CSV or XLSX upload as event documents, defaults filled in. Raises UnreadableTable."""
    records = _xlsx_records(body) if media_type == XLSX_MEDIA else _csv_records(body)
    header = next(records, None)
    if header is None:
        raise UnreadableTable("the table is empty: a header row naming contract fields comes first")
    names = [_header_name(cell) for cell in header]
    if not any(names):
        raise UnreadableTable("the first row must name contract fields (event_id, type, occurred_at, ...)")
    rows = []
    for index, cells in enumerate(records):
        if all(_blank(cell) for cell in cells):
            continue
        rows.append(_row(index, names, list(cells), defaults))
    return rows


def _header_name(cell: Any) -> str:
    return "" if cell is None else str(cell).strip().lstrip("\ufeff").strip()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _row(index: int, names: list[str], cells: list[Any], defaults: TableDefaults) -> TableRow:
    document: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    problems = []
    for name, cell in zip(names, cells + [None] * (len(names) - len(cells))):
        if _blank(cell):
            continue
        if not name:
            problems.append(f"a value ({str(cell)[:40]}) stands in a column without a header")
        elif name.startswith("detail."):
            detail[name[len("detail."):]] = _text(cell)
        else:
            try:
                document[name] = _value(name, cell)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
    if detail:
        if isinstance(document.get("detail"), dict):
            detail = {**document["detail"], **detail}
        document["detail"] = detail
    filled = with_defaults(document, defaults)
    return TableRow(index, filled, "; ".join(sorted(problems)) or None)


def _value(name: str, cell: Any) -> Any:
    if name in _TIMESTAMPS:
        return _timestamp(cell)
    if name == "schema_version":
        text = _text(cell)
        return int(text) if text.isdigit() else text
    if name == "containers":
        text = _text(cell)
        return json.loads(text) if text.startswith("[") else [c for c in re.split(r"[,;\s]+", text) if c]
    if name == "detail":
        try:
            return json.loads(_text(cell), parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"not a JSON object ({str(exc)[:80]})") from None
    return _text(cell)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # an XLSX number cell: 9705419.0 is the IMO number 9705419
    return str(cell).strip()


def _timestamp(cell: Any) -> str:
    if isinstance(cell, datetime):
        moment = cell if cell.tzinfo else cell.replace(tzinfo=SHANGHAI)
        return moment.isoformat()
    if isinstance(cell, date):
        return datetime.combine(cell, time(), SHANGHAI).isoformat()
    text = _text(cell)
    if _NAIVE.fullmatch(text):  # no offset: the port's own time
        return text.replace(" ", "T") + "+08:00"
    return text


def with_defaults(document: dict[str, Any], defaults: TableDefaults) -> dict[str, Any]:
    """The document with what it leaves out filled in; `event_id` last, from everything else."""
    filled = {"schema_version": SCHEMA_VERSION, "source": defaults.source, **document}
    if "publisher" not in filled and defaults.publisher:
        filled["publisher"] = defaults.publisher
    if "publisher" not in filled and filled.get("source") == "TERMINAL" and filled.get("terminal"):
        filled["publisher"] = filled["terminal"]
    if filled.get("source") == "TERMINAL" and "terminal" not in filled and filled.get("publisher"):
        filled["terminal"] = filled["publisher"]
    if "event_id" not in filled:
        filled["event_id"] = derived_event_id(filled)
    return filled


def derived_event_id(document: dict[str, Any]) -> str:
    """`<publisher>-T-<hash of the row's content>`: the same row gives the same id, any other another."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:24]
    publisher = document.get("publisher")
    prefix = publisher if isinstance(publisher, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}",
                                                                        publisher) else "ROW"
    return f"{prefix}-T-{digest}"


def _csv_records(body: bytes) -> Iterator[list[Any]]:
    text = _decoded(body)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableTable(f"not a readable CSV: {exc}") from None


def _decoded(body: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else GB 18030, which Excel uses in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable("the CSV is neither UTF-8 nor GB 18030 text")


def _xlsx_records(body: bytes) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise UnreadableTable(f"the workbook unpacks to {unpacked} bytes, more than {MAX_XLSX_UNPACKED}")
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except UnreadableTable:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl or zipfile make of a bad file
        raise UnreadableTable(f"not a readable XLSX workbook: {type(exc).__name__}") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def template_csv() -> bytes:
    """The CSV template: the header row only, UTF-8 with a byte-order mark so that Excel reads Chinese."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(_template_columns())
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx(notes: Iterable[tuple[str, str, str]]) -> bytes:
    """The XLSX template: sheet "events" with the header row, sheet "fields" with (field, en, zh) notes."""
    book = Workbook()
    events = book.active
    events.title = "events"
    events.append(list(_template_columns()))
    events.freeze_panes = "A2"
    for column in events.columns:
        events.column_dimensions[column[0].column_letter].width = max(12, len(str(column[0].value)) + 4)
    fields = book.create_sheet("fields")
    fields.append(["field", "meaning", "说明"])
    for note in notes:
        fields.append(list(note))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _template_columns() -> tuple[str, ...]:
    skipped = {"schema_version", "source", "publisher", "detail", "containers", "customs_code", "retracts"}
    return tuple(c for c in COLUMNS if c not in skipped) + TEMPLATE_DETAIL

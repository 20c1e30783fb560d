"""The "fields" sheet of the XLSX template: what each column of a batch upload means (docs/contract.md)."""
from __future__ import annotations

FIELD_NOTES: tuple[tuple[str, str, str], ...] = (
    ("event_id", "your id of the event; left empty, it is derived from the row (the same row, the same id)",
     "事件编号；留空则按该行内容生成（同一行内容生成同一编号）"),
    ("type", "GATE_IN, ARRIVAL_REPORTED, DISCHARGED, REPOSITION_STARTED, REPOSITIONED, LOADED or GATE_OUT",
     "事件类型：进闸、运抵、卸船、调箱、调箱到位、装船、出闸"),
    ("occurred_at", "when it happened, e.g. 2026-10-12T13:41:07+08:00; without an offset: Yantai time (+08:00)",
     "发生时间，如 2026-10-12T13:41:07+08:00；不写时区即北京时间"),
    ("direction", "EXPORT or IMPORT", "进出口：EXPORT 出口 / IMPORT 进口"),
    ("container_no", "ISO 6346 container number with its check digit, e.g. SITU2710462", "箱号（含校验位）"),
    ("vessel_imo", "vessel IMO number, 7 digits (or UN + 7 digits)", "船舶 IMO 编号"),
    ("voyage", "voyage number, e.g. 2619E", "航次"),
    ("enterprise_uscc", "USCC of the trading enterprise (18 characters)", "货主企业统一社会信用代码"),
    ("declaration_no", "18-character declaration number (arrival reports)", "报关单号（18 位）"),
    ("bl_no", "bill of lading", "提单号"),
    ("classifier", "ACTUAL (default), ESTIMATED or PLANNED", "实际 / 预计 / 计划，默认实际"),
    ("updated_at", "for a correction: newer than the version it replaces (with the same event_id)",
     "更正时填写：晚于被更正版本的时间（事件编号相同）"),
    ("terminal", "your terminal code; left empty, your own", "码头代码；留空即本码头"),
    ("detail.<key>", "anything worth showing: gate, truck_plate, seal_no, crane, yard_slot, location, remark",
     "其他信息：闸口、车牌、封号、桥吊、箱位、位置、备注"),
)

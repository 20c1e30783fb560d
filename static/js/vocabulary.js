// Event types, their stages and names: a copy of EVENT_TYPES in events/vocabulary.py, for what the API
// sends without labels (`pending`) and for the stage filter. tests/browser/test_vocabulary.py checks that
// both tables agree; the object below must stay strict JSON.
export const EVENT_TYPES = {
  "MANIFEST_ACCEPTED": {"stage": "MANIFEST", "en": "Manifest accepted", "zh": "舱单已接受"},
  "DECLARATION_FILED": {"stage": "DECLARATION", "en": "Declaration filed", "zh": "已申报"},
  "DECLARATION_ACCEPTED": {"stage": "DECLARATION", "en": "Declaration accepted", "zh": "海关入库成功"},
  "DECLARATION_REVIEWED": {"stage": "DECLARATION", "en": "Declaration reviewed", "zh": "审结"},
  "DUTY_PAYABLE": {"stage": "DECLARATION", "en": "Duty payable", "zh": "待缴税"},
  "DECLARATION_REJECTED": {"stage": "DECLARATION", "en": "Declaration rejected", "zh": "退单"},
  "VESSEL_ARRIVED": {"stage": "VESSEL_AND_YARD", "en": "Vessel arrived", "zh": "船舶抵港"},
  "DISCHARGED": {"stage": "VESSEL_AND_YARD", "en": "Discharged", "zh": "卸船"},
  "GATE_IN": {"stage": "ARRIVAL", "en": "Gate-in", "zh": "进闸"},
  "ARRIVAL_REPORTED": {"stage": "ARRIVAL", "en": "Arrival reported", "zh": "运抵"},
  "HOLD_PLACED": {"stage": "MANIFEST", "en": "Hold placed", "zh": "布控扣留"},
  "INSPECTION_ORDERED": {"stage": "INSPECTION", "en": "Inspection ordered", "zh": "查验通知"},
  "REPOSITION_STARTED": {"stage": "INSPECTION", "en": "Repositioning for inspection", "zh": "调箱"},
  "REPOSITIONED": {"stage": "INSPECTION", "en": "In place for inspection", "zh": "调箱到位"},
  "INSPECTION_COMPLETED": {"stage": "INSPECTION", "en": "Inspection completed", "zh": "查验完毕"},
  "HOLD_RELEASED": {"stage": "MANIFEST", "en": "Hold released", "zh": "解除扣留"},
  "CUSTOMS_RELEASED": {"stage": "RELEASE", "en": "Customs released", "zh": "海关放行"},
  "LOADED": {"stage": "VESSEL_AND_YARD", "en": "Loaded on board", "zh": "装船"},
  "GATE_OUT": {"stage": "VESSEL_AND_YARD", "en": "Gate-out", "zh": "出闸"},
  "VESSEL_DEPARTED": {"stage": "VESSEL_AND_YARD", "en": "Vessel departed", "zh": "船舶离港"},
  "DECLARATION_CLOSED": {"stage": "DECLARATION", "en": "Declaration closed", "zh": "结关"}
};

export const STAGES = ["DECLARATION", "MANIFEST", "ARRIVAL", "INSPECTION", "RELEASE", "VESSEL_AND_YARD"];

/** `{type, stage, en, zh}` of an event type name (an unknown type is named by itself). */
export function typeLabel(type) {
  const known = EVENT_TYPES[type];
  return known ? { type, ...known } : { type, stage: "", en: type, zh: type };
}

/** Event type names of a stage, in the order of the table (the usual life of a container). */
export function typesOfStage(stage) {
  return Object.keys(EVENT_TYPES).filter((type) => EVENT_TYPES[type].stage === stage);
}

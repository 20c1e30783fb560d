// Interface words in Chinese and English; the chosen language is kept in localStorage.
// Event type names come from the API's labels or from vocabulary.js, never from here.

const STORAGE_KEY = "clearance.lang";
export const LANGUAGES = ["zh-CN", "en"];

const WORDS = {
  "app.title": ["烟台港通关状态", "Yantai port clearance status"],
  "app.subtitle": ["烟台港 CNYNT · 通关状态实时查询", "CNYNT · live customs clearance status"],
  "app.skip": ["跳到正文", "Skip to content"],
  "app.language": ["语言", "Language"],
  "app.logout": ["退出", "Log out"],
  "app.user": ["当前用户", "Signed in as"],
  "role.enterprise": ["企业", "enterprise"],
  "role.terminal": ["码头", "terminal"],
  "role.port-office": ["港口办", "port office"],
  "status.connecting": ["连接中…", "Connecting…"],
  "status.live": ["实时", "Live"],
  "status.reconnecting": ["重新连接中…", "Reconnecting…"],
  "status.label": ["实时连接状态", "Live connection"],
  "notify.enable": ["开启通知", "Enable notifications"],
  "notify.on": ["通知已开启", "Notifications on"],
  "notify.blocked": ["通知已被浏览器阻止", "Notifications blocked"],
  "notify.released": ["{no} 海关已放行", "{no} released by customs"],
  "notify.hold": ["{no} 被布控扣留", "{no}: hold placed"],
  "list.title": ["我的集装箱", "My containers"],
  "list.search": ["箱号、提单号或报关单号", "Container, B/L or declaration no."],
  "list.searchButton": ["搜索", "Search"],
  "list.clear": ["清除", "Clear"],
  "list.badInput": ["只能输入字母、数字和 - . / _", "Letters, digits and - . / _ only"],
  "list.stage": ["环节", "Stage"],
  "list.anyStage": ["全部环节", "All stages"],
  "list.stages": ["按环节", "Stages"],
  "list.types": ["按当前事件", "Current event"],
  "list.direction": ["进出口", "Direction"],
  "list.anyDirection": ["进出口均可", "Both directions"],
  "list.total": ["共 {n} 个箱次", "{n} container visits"],
  "list.loading": ["加载中…", "Loading…"],
  "list.empty": ["暂无集装箱。事件一旦涉及贵单位，集装箱即会出现在这里。",
    "No containers yet. A container appears here as soon as an event names your company."],
  "list.emptyFiltered": ["没有符合条件的集装箱。", "No container matches these filters."],
  "list.error": ["列表加载失败：{message}", "Could not load the list: {message}"],
  "list.retry": ["重试", "Retry"],
  "list.new": ["新", "New"],
  "list.prev": ["上一页", "Previous"],
  "list.next": ["下一页", "Next"],
  "list.page": ["第 {page} / {pages} 页", "Page {page} of {pages}"],
  "col.container": ["箱号", "Container"],
  "col.direction": ["进出口", "Direction"],
  "col.vessel": ["航次 · 船舶 · 码头", "Voyage · vessel · terminal"],
  "col.bl": ["提单号 · 报关单号", "B/L · declaration"],
  "col.stage": ["当前环节", "Current stage"],
  "col.alerts": ["提示", "Alerts"],
  "col.last": ["最近动态（UTC+8）", "Last event (UTC+8)"],
  "badge.holds": ["扣留 {n}", "{n} on hold"],
  "badge.abnormal": ["查验异常", "Abnormal inspection"],
  "badge.flags": ["标记 {n}", "{n} flagged"],
  "badge.none": ["尚无事件", "No event yet"],
  "container.back": ["← 我的集装箱", "← My containers"],
  "container.loading": ["正在加载集装箱…", "Loading the container…"],
  "container.notFound": ["没有该集装箱（或不属于您）", "No such container (or not yours)"],
  "container.notFoundHelp": ["请核对箱号。其他单位的集装箱不会显示。",
    "Check the container number. Containers of other companies are not shown."],
  "container.version": ["版本 {v}", "version {v}"],
  "container.waiting": ["数据库暂时不可用，恢复后本页将自动显示该集装箱。",
    "The database is unavailable for the moment; this page shows the container by itself once it is back."],
  "visit.vessel": ["船舶 IMO", "Vessel IMO"],
  "visit.voyage": ["航次", "Voyage"],
  "visit.terminal": ["码头", "Terminal"],
  "visit.bl": ["提单号", "B/L"],
  "visit.declarations": ["报关单号", "Declarations"],
  "visit.enterprise": ["企业信用代码", "Enterprise USCC"],
  "visit.declarant": ["申报单位信用代码", "Declarant USCC"],
  "visit.current": ["当前环节", "Current stage"],
  "visit.next": ["下一步", "What happens next"],
  "visit.done": ["预期环节均已完成。", "Every expected milestone is done."],
  "visit.holds": ["扣留中", "On hold"],
  "visit.since": ["开始于", "since"],
  "visit.abnormal": ["查验结果异常：请联系报关行或海关。", "Inspection found a problem (abnormal result): contact your broker or customs."],
  "visit.flags": ["数据标记", "Flags"],
  "flag.PRECEDENCE": ["顺序异常", "Out of order"],
  "flag.WARNING": ["警告", "Warning"],
  "timeline.title": ["时间线", "Timeline"],
  "timeline.zone": ["时间均为 Asia/Shanghai（北京时间，UTC+8）", "All times Asia/Shanghai (China Standard Time, UTC+8)"],
  "timeline.took": ["距上一步 {d}", "{d} after the previous step"],
  "timeline.same": ["与上一步同时", "at the same time as the previous step"],
  "timeline.first": ["首个环节", "first milestone"],
  "timeline.source": ["来源", "Source"],
  "timeline.code": ["回执代码", "Customs code"],
  "timeline.pending": ["待完成", "Pending"],
  "timeline.nextMark": ["下一步", "Next"],
  "timeline.new": ["新", "New"],
  "classifier.ESTIMATED": ["预计", "Estimated"],
  "classifier.PLANNED": ["计划", "Planned"],
  "direction.EXPORT": ["出口", "Export"],
  "direction.IMPORT": ["进口", "Import"],
  "stage.DECLARATION": ["申报", "Declaration"],
  "stage.MANIFEST": ["舱单", "Manifest"],
  "stage.ARRIVAL": ["运抵", "Arrival"],
  "stage.INSPECTION": ["查验", "Inspection"],
  "stage.RELEASE": ["放行", "Release"],
  "stage.VESSEL_AND_YARD": ["船舶 / 堆场", "Vessel & yard"],
  "source.CUSTOMS": ["海关", "Customs"],
  "source.MARITIME": ["海事", "Maritime"],
  "source.TERMINAL": ["码头", "Terminal"],
  "source.CARRIER": ["承运人", "Carrier"],
  "source.TALLY": ["理货", "Tally"],
  "source.ENTERPRISE": ["企业", "Enterprise"],
  "unit.s": ["{n} 秒", "{n} s"],
  "unit.min": ["{n} 分钟", "{n} min"],
  "unit.h": ["{n} 小时", "{n} h"],
  "unit.d": ["{n} 天", "{n} d"],
  "error.generic": ["出错了：{message}", "Something went wrong: {message}"],
};

/** More words (`{key: [zh, en]}`), from a page's own table (dashwords.js). */
export function addWords(table) { Object.assign(WORDS, table); }

let current = initialLanguage();
const listeners = new Set();

function initialLanguage() {
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch { /* storage may be disabled */ }
  if (LANGUAGES.includes(stored)) return stored;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function language() { return current; }

/** "zh" or "en": the key of a type label (`{en, zh}`) in the current language. */
export function labelKey() { return current === "zh-CN" ? "zh" : "en"; }

/** The name of a labelled thing (`{en, zh}`) in the current language. */
export function nameOf(label) { return label ? label[labelKey()] || label.en || label.type || "" : ""; }

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang) || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* not remembered, still applied */ }
  document.documentElement.lang = lang;
  listeners.forEach((listener) => listener(lang));
}

export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The word for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  const entry = WORDS[key];
  const text = entry ? entry[current === "zh-CN" ? 0 : 1] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Translate the static parts of the page: elements with data-i18n (text) or data-i18n-* (attributes). */
export function translateStatic(root = document) {
  document.documentElement.lang = current;
  root.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  for (const attribute of ["aria-label", "placeholder", "title"]) {
    root.querySelectorAll(`[data-i18n-${attribute}]`).forEach((node) => {
      node.setAttribute(attribute, t(node.getAttribute(`data-i18n-${attribute}`)));
    });
  }
}

"""The simulated Yantai port: terminals, customs offices, carriers, vessels, enterprises and brokers.

Everything here is fixed (independent of the stream's seed), so every stream shows the same port and
the same companies; what varies with the seed is containers, B/Ls, declarations and timing.
Names and codes are invented but shaped like the real ones (DOMAIN.md §1, §5).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from random import Random

from clearance.simulate.ids import imo_number, uscc_code

PORT = "CNYNT"
MARITIME_PUBLISHER = "YTMSA"  # Yantai Maritime Safety Administration
TALLY_PUBLISHER = "COSTYT"  # tally company at Yantai

# Customs offices (4-digit codes): plausible codes under the Qingdao customs district, not authoritative.
CUSTOMS_OFFICES: dict[str, str] = {
    "4201": "烟台海关 Yantai Customs",
    "4215": "烟台港海关 Yantai Port Customs",
    "4228": "烟台西港海关 Yantai West Port Customs",
}


@dataclass(frozen=True)
class Terminal:
    code: str
    name: str
    office: str  # customs office supervising the terminal
    ship_ops_source: str  # who reports discharge/loading: TERMINAL EDI or a TALLY report
    ship_ops_publisher: str


TERMINALS: tuple[Terminal, ...] = (
    Terminal("YTCT", "Yantai Container Terminal", "4215", "TERMINAL", "YTCT"),
    Terminal("YTGD", "Yantai Global Dock", "4201", "TERMINAL", "YTGD"),
    Terminal("YTLG", "Yantai Lianhe Terminal", "4228", "TALLY", TALLY_PUBLISHER),
)


@dataclass(frozen=True)
class Carrier:
    scac: str
    name: str
    owner_codes: tuple[str, ...]  # ISO 6346 owner prefixes of its boxes


CARRIERS: dict[str, Carrier] = {c.scac: c for c in (
    Carrier("COSU", "COSCO Shipping", ("CSNU", "CBHU", "CCLU", "FCIU")),
    Carrier("MAEU", "Maersk", ("MSKU", "MRKU", "TGHU")),
    Carrier("MSCU", "MSC", ("MSCU", "MEDU", "TCNU")),
    Carrier("CMDU", "CMA CGM", ("CMAU", "TRHU", "SEGU")),
    Carrier("ONEY", "Ocean Network Express", ("ONEU", "TCLU", "BMOU")),
    Carrier("EGLV", "Evergreen", ("EGHU", "EISU", "CAIU")),
    Carrier("OOLU", "OOCL", ("OOLU", "DFSU")),
)}


@dataclass(frozen=True)
class Vessel:
    name: str
    imo: str
    carrier: str  # SCAC
    terminal: Terminal
    boxes: tuple[int, int]  # laden boxes per direction per call (low, high)
    bounds: tuple[str, str]  # voyage suffix letters: (import, export)


_NAME_HEADS = ("BOHAI", "ZHIFU", "PENGLAI", "LAISHAN", "KUNYU", "YELLOW SEA", "JIAODONG", "MUPING",
               "CHANGDAO", "ORIENT", "YANTAI", "HAIYANG")
_NAME_TAILS = ("PEARL", "STAR", "BRIDGE", "EXPRESS", "TRADER", "SPIRIT", "HARMONY", "GLORY", "VOYAGER",
               "FORTUNE", "PIONEER", "HORIZON")
_BOUNDS = ("WE", "NS", "SN")


def _fleet(rng: Random, size: int) -> tuple[Vessel, ...]:
    """Invented vessels with valid IMO numbers; the first is 9321483 (the contract's example key)."""
    names = [f"{h} {t}" for h in _NAME_HEADS for t in _NAME_TAILS]
    rng.shuffle(names)
    sixes = ["932148"]
    while len(sixes) < size:
        six = str(rng.randrange(910000, 990000))
        if six not in sixes:
            sixes.append(six)
    scacs = sorted(CARRIERS)
    fleet = []
    for i, six in enumerate(sixes):
        high = rng.choice((12, 16, 20, 28))
        fleet.append(Vessel(names[i], imo_number(six), scacs[i % len(scacs)], TERMINALS[i % len(TERMINALS)],
                            (max(2, high // 4), high), tuple(rng.choice(_BOUNDS))))  # type: ignore[arg-type]
    return tuple(fleet)


@dataclass(frozen=True)
class Party:
    uscc: str
    name: str


# Administrative region codes (Yantai districts and cities, a few from Qingdao and Weifang).
_REGIONS = ("370602", "370611", "370612", "370613", "370614", "370681", "370682", "370683",
            "370685", "370686", "370687", "370200", "370700")
_PLACES = ("芝罘", "福山", "牟平", "莱山", "蓬莱", "龙口", "莱阳", "莱州", "招远", "栖霞", "海阳",
           "渤海", "黄海", "胶东", "昆嵛", "养马岛", "长岛")
_TRADES = ("进出口", "食品", "机械", "化工", "果蔬", "轮胎", "电子", "纺织", "海产", "国际贸易", "铝业", "汽车零部件")


def _parties(rng: Random, count: int, kinds: tuple[str, ...]) -> tuple[Party, ...]:
    out, names = [], set()
    while len(out) < count:
        name = f"烟台{rng.choice(_PLACES)}{rng.choice(kinds)}有限公司"
        if name in names:
            continue
        names.add(name)
        out.append(Party(uscc_code(rng, rng.choice(_REGIONS)), name))
    return tuple(out)


_rng = Random("clearance-simulate-world-v1")
VESSELS: tuple[Vessel, ...] = _fleet(_rng, 48)
ENTERPRISES: tuple[Party, ...] = _parties(_rng, 40, _TRADES)
BROKERS: tuple[Party, ...] = _parties(_rng, 12, ("报关", "国际货运代理", "报关行", "供应链管理"))
# Skewed shares: a few enterprises and brokers carry most of the trade.
ENTERPRISE_WEIGHTS: tuple[float, ...] = tuple(accumulate(1.0 / (i + 1) for i in range(len(ENTERPRISES))))
BROKER_WEIGHTS: tuple[float, ...] = tuple(accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(BROKERS))))

HOLD_REASONS: dict[str, tuple[str, ...]] = {
    "12": ("舱单数据与申报不符 manifest data mismatch", "涉嫌瞒报 suspected under-declaration",
           "布控指令 risk-control order"),
    "13": ("禁止卸货：涉嫌夹带 suspected smuggling", "检疫风险 quarantine risk", "舱单数据异常 manifest anomaly"),
}
ABNORMAL_FINDINGS = ("货物数量不符 quantity mismatch", "品名不符 description mismatch",
                     "夹藏未申报货物 undeclared goods")
RETRACTION_REASONS = ("重复发送 sent twice", "误操作 operator error", "报文撤回 message withdrawn")

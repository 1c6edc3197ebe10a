"""A synthetic corpus in exactly the cables.csv format, for scale tests and the demo library.

Real reference ids and months (from the published index, with `--ids`), real origins and TAGS,
everything else our own: subjects and bodies drawn from a fixed vocabulary of over 20,000 words
with Zipf-like frequencies (so that search costs are realistic), realistic sizes, the real mix of
paragraph markings, page-break lines and REF lines citing other cables of the same corpus.
Every body starts with `SYNTHETIC_MARKER`, so no reader can take these cables for real ones.
Deterministic: one seed, one file.
"""

from __future__ import annotations

import gzip
import itertools
import math
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TextIO

from cables.formats import SYNTHETIC_MARKER
from cables.formats.csvdump import CsvRow, write_rows


# Station in a reference id -> the origin the published pages give it (read off real pages).
def _items(text: str, sep: str) -> list[str]:
    """Compact tables below are written as one string each; this reads them."""
    return text.split(sep)


_ORIGINS_TEXT = (
    "ABUDHABI=Embassy Abu Dhabi;ABUJA=Embassy Abuja;ADDISABABA=Embassy Addis Ababa;"
    "ALGIERS=Embassy Algiers;AMMAN=Embassy Amman;ANKARA=Embassy Ankara;ASHGABAT=Embassy Ashgabat;"
    "ASMARA=Embassy Asmara;ASTANA=Embassy Astana;ASUNCION=Embassy Asuncion;"
    "BAGHDAD=Embassy Baghdad;BAKU=Embassy Baku;BANGKOK=Embassy Bangkok;BEIJING=Embassy Beijing;"
    "BELGRADE=Embassy Belgrade;BERLIN=Embassy Berlin;BERN=Embassy Bern;BISHKEK=Embassy Bishkek;"
    "BOGOTA=Embassy Bogota;BRASILIA=Embassy Brasilia;BRIDGETOWN=Embassy Bridgetown;"
    "BRUSSELS=USEU Brussels;BUCHAREST=Embassy Bucharest;BUENOSAIRES=Embassy Buenos Aires;"
    "CAIRO=Embassy Cairo;CAPETOWN=Consulate Cape Town;CARACAS=Embassy Caracas;"
    "CASABLANCA=Consulate Casablanca;CHISINAU=Embassy Chisinau;DAMASCUS=Embassy Damascus;"
    "DJIBOUTI=Embassy Djibouti;DOHA=Embassy Doha;FREETOWN=Embassy Freetown;HARARE=Embassy Harare;"
    "HAVANA=US Interests Section Havana;ISLAMABAD=Embassy Islamabad;"
    "ISTANBUL=Consulate Istanbul;KABUL=Embassy Kabul;KAMPALA=Embassy Kampala;"
    "KHARTOUM=Embassy Khartoum;KUALALUMPUR=Embassy Kuala Lumpur;KUWAIT=Embassy Kuwait;"
    "KYIV=Embassy Kyiv;LAPAZ=Embassy La Paz;LIMA=Embassy Lima;LONDON=Embassy London;"
    "LUANDA=Embassy Luanda;MADRID=Embassy Madrid;MANAMA=Embassy Manama;MEXICO=Embassy Mexico;"
    "MOSCOW=Embassy Moscow;MUNICH=Consulate Munich;NAIROBI=Embassy Nairobi;"
    "NEWDELHI=Embassy New Delhi;OSLO=Embassy Oslo;OTTAWA=Embassy Ottawa;PANAMA=Embassy Panama;"
    "PARIS=Embassy Paris;PESHAWAR=Consulate Peshawar;PORTAUPRINCE=Embassy Port Au Prince;"
    "PRETORIA=Embassy Pretoria;PRISTINA=Embassy Pristina;RABAT=Embassy Rabat;"
    "RANGOON=Embassy Rangoon;RIGA=Embassy Riga;RIODEJANEIRO=Consulate Rio De Janeiro;"
    "RIYADH=Embassy Riyadh;ROME=Embassy Rome;RPODUBAI=Iran RPO Dubai;SANAA=Embassy Sanaa;"
    "SANSALVADOR=Embassy San Salvador;SAOPAULO=Consulate Sao Paulo;SARAJEVO=Embassy Sarajevo;"
    "SEOUL=Embassy Seoul;SHANGHAI=Consulate Shanghai;SKOPJE=Embassy Skopje;"
    "STATE=Secretary of State;STOCKHOLM=Embassy Stockholm;TALLINN=Embassy Tallinn;"
    "TBILISI=Embassy Tbilisi;TEHRAN=Embassy Tehran;TELAVIV=Embassy Tel Aviv;"
    "THEHAGUE=Embassy The Hague;TRIPOLI=Embassy Tripoli;TUNIS=Embassy Tunis;UNVIEVIENNA=UNVIE;"
    "USNATO=Mission USNATO;USUNNEWYORK=USUN New York;VATICAN=Embassy Vatican;"
    "VIENNA=Embassy Vienna;VLADIVOSTOK=Consulate Vladivostok;WARSAW=Embassy Warsaw;"
    "ZAGREB=Embassy Zagreb"
)
_ORIGINS = dict(item.split("=") for item in _items(_ORIGINS_TEXT, ";"))

# TAGS with how often they occur on the real pages here (a tag per cable is drawn by weight).
_TAGS_TEXT = (
    "PREL:356 PGOV:294 PTER:104 PINR:79 ECON:76 IR:69 PHUM:60 MARR:57 AF:54 MOPS:49 PK:42 FR:41 "
    "PARM:41 SP:34 RS:33 MASS:30 NATO:24 CH:24 EFIN:23 BR:23 KDEM:22 UK:21 TU:21 GM:20 ENRG:20 "
    "ASEC:19 SA:19 IZ:18 EINV:18 KNNP:18 EAID:18 MNUC:18 SNAR:17 ETRD:15 SOCI:15 IS:14 KCRM:14 "
    "SENV:14 KN:13 OVIP:13 EPET:13 KJUS:12 MCAP:12 YM:12 LY:12 PINS:12 AR:11 SY:11 ETTC:11 IN:10 "
    "BL:10 ELAB:10 VE:10 KPAO:9 KCOR:9 EUN:9 KGHG:9 LE:9 CASC:9 KTFN:8 KISL:8 RU:7 KS:7 EU:7 UP:7 "
    "GG:7 PREF:7 SF:6 MO:6 EG:5 TX:5 BM:5 XA:5 KPAL:5 EAIR:5 OPRC:4 MX:4 XF:4 KU:4 JO:4 KAWK:4 "
    "EAGR:4 CO:4 TRGY:4 AE:4 OIIP:4 KHLS:4 IT:4 KMDR:4 PL:4 CJAN:3 KIPR:3 AG:3 SR:3 KWBG:3 QA:3 "
    "UNSC:3 EIND:3 AORC:3 AJ:3 CMGT:3 GV:3 ZI:3 BO:3 LG:3 NO:3 KSPR:3 KBIO:3 AU:3 VZ:2 HR:2 "
    "ES:2 BK:2 KSCA:2 BA:2 EWWT:2 UNO:2 YI:2 KOLY:2 ELTN:2 PA:2 AM:2 KV:2 SCUL:2 EMIN:2 KG:2 "
    "KZ:2 UNGA:2 MY:2 RO:2 PHSA:2 SO:2 CA:2 OTRA:2 CU:2 AO:2 HA:2 KE:2 MK:2 SW:2 ECPS:2 AMGT:2 "
    "EFIS:2 PBTS:2 KTIP:1 IAEA:1 CVIS:1 KWMN:1 SMIG:1 KHIV:1"
)
_TAGS = [(t, int(n)) for t, n in (item.split(":") for item in _items(_TAGS_TEXT, " "))]

# Header classification -> (banner, weight in the corpus, paragraph markings with weights).
_CLASSES: dict[str, tuple[str, int, list[tuple[str, int]]]] = {
    "UNCLASSIFIED": ("UNCLAS", 133887, [("", 70), ("(U)", 25), ("(SBU)", 4), ("(u)", 1)]),
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": (
        "UNCLAS",
        4678,
        [("(SBU)", 75), ("(U)", 15), ("(U//FOUO)", 10)],
    ),
    "CONFIDENTIAL": (
        "C O N F I D E N T I A L",
        97070,
        [
            ("(C)", 62),
            ("(U)", 8),
            ("(SBU)", 6),
            ("(C/REL NATO)", 10),
            ("(C//REL ISAF)", 5),
            ("(SBU/REL NATO)", 4),
            ("(c)", 3),
            ("", 2),
        ],
    ),
    "CONFIDENTIAL//NOFORN": (
        "C O N F I D E N T I A L",
        4678,
        [("(C/NF)", 45), ("(C//NF)", 20), ("(C)", 15), ("(SBU)", 8), ("(U)", 8), ("(C/NOFORN)", 4)],
    ),
    "SECRET": (
        "S E C R E T",
        11322,
        [
            ("(S)", 50),
            ("(C)", 20),
            ("(U)", 11),
            ("(S/NF)", 10),
            ("(SBU)", 6),
            ("(s)", 2),
            ("(c)", 1),
        ],
    ),
    "SECRET//NOFORN": (
        "S E C R E T",
        4330,
        [
            ("(S/NF)", 45),
            ("(S//NF)", 15),
            ("(U)", 12),
            ("(U//FOUO)", 10),
            ("(SBU)", 8),
            ("(C)", 6),
            ("(S//FGI//NF)", 4),
        ],
    ),
}

# Real words, most frequent first, so that searches for `government` or `iran` behave like the
# real corpus; the generated words fill the vocabulary's long tail.
_FUNCTION_WORDS = _items(
    "the of to and in a that for on is with by as was he said will be are not at it his from "
    "this have has an or would they their but its which also had were been who we us all more "
    "other its one any can there than about after should new could our them may into these two",
    " ",
)
_REAL_WORDS = _items(
    "government minister iran president ministry foreign embassy officials security political "
    "official state united states support economic military national international country "
    "public police party meeting prime policy election agreement cooperation assistance "
    "nuclear program ambassador secretary defense forces report trade development regional "
    "council parliament opposition leader leaders cabinet reform reforms law justice court "
    "rights human border oil gas energy investment bank finance budget crisis talks "
    "negotiations sanctions resolution mission delegation visit contacts sources press media "
    "elections vote democracy corruption terrorism terrorist attack attacks intelligence army "
    "navy air troops operations commander general deputy director chief senior staff office "
    "committee commission embassy's ministers governments iranian afghanistan pakistan iraq "
    "china russia israel syria turkey egypt india japan germany france britain spain italy "
    "brazil mexico venezuela colombia cuba korea nato union european africa asia europe "
    "america washington moscow beijing tehran kabul baghdad paris london madrid berlin "
    "cairo riyadh ankara islamabad delhi tokyo week month year today comment summary end "
    "note septel reftel action request information continue continued noted stressed "
    "explained believes asked told expressed concern concerns important issue issues "
    "process plan plans project projects future current recent previous possible likely "
    "strong weak key main major minor high low senior junior local central federal "
    "provincial district city capital province region area areas people population "
    "community communities group groups members member organization organizations "
    "company companies business businesses market markets price prices growth inflation "
    "debt loan loans aid donor donors humanitarian refugees migration visa consular "
    "citizens citizen detained arrested prison trial charges investigation judge "
    "prosecutor constitution amendment bill legislation decree approval approved signed "
    "implementation framework strategy priority priorities interest interests relations "
    "relationship bilateral multilateral partner partners ally allies counterpart dialogue "
    "discussion discussed proposal proposed offer offered response respond position "
    "positions view views opinion statement announced announcement decision decided "
    "weapons missile missiles enrichment uranium inspectors inspection inspections treaty "
    "proliferation export exports import imports customs smuggling narcotics drug drugs "
    "trafficking crime criminal violence conflict peace ceasefire insurgents insurgency "
    "militants militia taliban qaeda hezbollah hamas kurdish shia sunni muslim religious "
    "church tribal ethnic minority majority coalition alliance faction factions campaign "
    "candidate candidates ballot polls turnout fraud observers monitoring civil society "
    "students university education health hospital water food agriculture farmers "
    "infrastructure roads electricity power plant pipeline refinery exploration production",
    " ",
)
_ONSETS = _items(
    "b bl br c ch cl cr d dr f fl fr g gl gr h j k kh l m n p pl pr qu r s sh sk sl "
    "sm sn sp st str t th tr v w z zh",
    " ",
)
_VOWELS = _items("a e i o u ai ea ia io oa ou ua", " ")
_MONTHS = _items("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC", " ")
_CODAS = ("", "", "n", "r", "s", "l", "m", "k", "t", "nd", "rt", "st", "x", "sh", "ng")
VOCABULARY_SIZE = 24000


@cache
def vocabulary() -> tuple[str, ...]:
    """The fixed vocabulary, most frequent first: function words, then real words interleaved
    with generated ones (two or three syllables), then generated words to the end."""
    generated: list[str] = []
    seen = set(_FUNCTION_WORDS) | set(_REAL_WORDS)
    rng = random.Random(20101128)
    while len(generated) < VOCABULARY_SIZE:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((2, 2, 3)))
        )
        if word not in seen:
            seen.add(word)
            generated.append(word)
    mixed = [
        w
        for pair in itertools.zip_longest(_REAL_WORDS, generated[: len(_REAL_WORDS) * 2 : 2])
        for w in pair
        if w
    ]
    return tuple(dict.fromkeys((*_FUNCTION_WORDS, *mixed, *generated[len(_REAL_WORDS) * 2 :])))


@cache
def _cumulative_weights() -> list[float]:
    """Zipf: the word of rank r has weight 1 / r^1.05."""
    return list(itertools.accumulate(1 / (r**1.05) for r in range(1, len(vocabulary()) + 1)))


@dataclass(frozen=True, slots=True)
class _Ident:
    reference_id: str
    year: int
    month: int


def read_ids(path: Path) -> list[_Ident]:
    """`REFID,MONTH` lines (gzip or plain); the year is the id's first two digits (66-99: 19xx)."""
    opener = gzip.open if path.suffix == ".gz" else open
    idents = []
    with opener(path, "rt", encoding="ascii") as stream:
        for number, line in enumerate(stream, start=1):
            ref, _, month = line.strip().partition(",")
            if not ref:
                continue
            if not (ref[:2].isdigit() and month.isdigit() and 1 <= int(month) <= 12):
                raise ValueError(f"{path} line {number}: expected REFID,MONTH, found {line!r}")
            year = int(ref[:2])
            idents.append(_Ident(ref, 1900 + year if year >= 66 else 2000 + year, int(month)))
    return idents


def _made_up_ids(n: int, rng: random.Random) -> list[_Ident]:
    """Ids for a corpus without `--ids`: real stations, years weighted to the 2000s."""
    stations = sorted(_ORIGINS)
    used: set[str] = set()
    idents: list[_Ident] = []
    while len(idents) < n:
        year = rng.choice((1985, 1990, 1995, *range(2000, 2011), *range(2005, 2011)))
        ref = f"{year % 100:02d}{rng.choice(stations)}{rng.randrange(1, 9999)}"
        if ref not in used:
            used.add(ref)
            idents.append(_Ident(ref, year, rng.randrange(1, 13)))
    idents.sort(key=lambda i: (i.year, i.month))
    return idents


class _Writer:
    """Draws one cable after another from a seeded generator."""

    def __init__(self, rng: random.Random, pool: int) -> None:
        self.rng = rng
        words = vocabulary()
        weights = _cumulative_weights()
        # A pool of sentences drawn word by word: bodies are strung from it, which keeps the
        # word frequencies Zipf-like while writing gigabytes in reasonable time.
        self.sentences = []
        for _ in range(pool):
            drawn = rng.choices(words, cum_weights=weights, k=rng.randint(6, 28))
            self.sentences.append(drawn[0].capitalize() + " " + " ".join(drawn[1:]) + ".")
        self.subject_words = words[len(_FUNCTION_WORDS) : 4000]
        self.tag_names = [t for t, _ in _TAGS]
        self.tag_weights = list(itertools.accumulate(n for _, n in _TAGS))
        self.classes = list(_CLASSES)
        self.class_weights = list(itertools.accumulate(c[1] for c in _CLASSES.values()))
        self.markings = {
            name: ([m for m, _ in c[2]], list(itertools.accumulate(w for _, w in c[2])))
            for name, c in _CLASSES.items()
        }

    def body_size(self, index: int) -> int:
        """Mean about 6 KB, tail to 60 KB, and one cable in 25,000 over 128 KB."""
        if index % 25000 == 24999:
            return self.rng.randint(131_000, 190_000)
        return min(60_000, max(600, int(self.rng.lognormvariate(math.log(6000) - 0.45, 0.95))))

    def paragraph(self, target: int) -> str:
        text = ""
        while len(text) < target:
            text += self.rng.choice(self.sentences) + "  "
        return text.strip()

    def cable(self, index: int, ident: _Ident, cited: list[str]) -> CsvRow:
        rng = self.rng
        station, number = _split_ref(ident.reference_id)
        day, hour, minute = rng.randint(1, 28), rng.randrange(24), rng.randrange(60)
        classification = rng.choices(self.classes, cum_weights=self.class_weights)[0]
        banner = _CLASSES[classification][0]
        tags = list(
            dict.fromkeys(
                rng.choices(self.tag_names, cum_weights=self.tag_weights, k=rng.randint(2, 6))
            )
        )
        subject = " ".join(rng.choices(self.subject_words, k=rng.randint(3, 10))).upper()
        month = _MONTHS[ident.month - 1]
        dtg = f"{rng.choice('ROP')} {day:02d}{hour:02d}{minute:02d}Z {month} {ident.year % 100:02d}"
        size = self.body_size(index)
        pages = max(1, size // 3500 + 1)
        lines = [
            SYNTHETIC_MARKER,
            f"{banner} {f'SECTION 01 OF {pages:02d} ' if pages > 1 else ''}{station} {number:06d}",
            "",
        ]
        if classification.endswith("NOFORN"):
            lines.append("NOFORN")
        lines += [
            "SIPDIS",
            "",
            f"E.O. 12958: DECL: {ident.month:02d}/{day:02d}/{ident.year + 10}",
            f"TAGS: {', '.join(tags)}",
            *_wrap(f"SUBJECT: {subject}"),
            "",
        ]
        if cited:
            written_refs = (
                f"{chr(65 + i)}. {c[:2]} {' '.join(map(str, _split_ref(c)))}"
                for i, c in enumerate(cited)
            )
            lines += [*_wrap("REF: " + " ".join(written_refs)), ""]
        if not classification.startswith("UNCLAS"):
            lines += [
                f"Classified By: {self.paragraph(40).rstrip('.')[:60]} for reasons 1.4 (b) and (d)",
                "",
            ]
        markings, weights = self.markings[classification]
        unmarked = rng.choices(markings, cum_weights=weights)[0] == ""
        par = 1
        written = sum(len(line) for line in lines)
        while written < size:
            marking = "" if unmarked else rng.choices(markings, cum_weights=weights)[0]
            text = self.paragraph(min(size - written, rng.randint(200, 1400)))
            lines += [*_wrap(f"{par}. {marking + ' ' if marking else ''}{text}"), ""]
            written += len(text) + 8
            par += 1
        lines.append(rng.choice(("Smith", "Jones", "Clark", "Moore", "Baker", "Hill")))
        body = "\n".join(_page_breaks(lines, station, number, pages))
        header = "\n".join(
            [
                f"VZCZCXRO{rng.randrange(10000):04d}",
                f"{dtg[0]}{dtg[0]} RUEHWEB",
                "",
                f"DE RUEH{station[:2]} #{number:04d}/01 {rng.randrange(1, 366):03d}{dtg[4:8]}",
                f"ZNY {'CCCCC' if banner[0] != 'U' else 'UUUUU'} ZZH",
                dtg,
                f"FM {'SECSTATE WASHDC' if station == 'STATE' else 'AMEMBASSY ' + station}",
                f"TO RUEHC/SECSTATE WASHDC PRIORITY {rng.randrange(1000, 9999)}",
                "BT",
            ]
        )
        return CsvRow(
            id=str(index + 1),
            created=f"{ident.month}/{day}/{ident.year} {hour}:{minute:02d}",
            reference_id=ident.reference_id,
            origin=_ORIGINS.get(station, f"Embassy {station.title()}"),
            classification=classification,
            references="|".join(cited),
            header=header,
            body=body,
        )


def _split_ref(ref: str) -> tuple[str, int]:
    """Station and serial number of a reference id (`09MEXICO1055` -> `MEXICO`, 1055)."""
    m = re.fullmatch(r"\d*(\D+?)(\d+)", ref)
    return (m.group(1), int(m.group(2))) if m else ("STATE", 1)


def _open_out(path: Path, *, gz: bool) -> TextIO:
    if gz:
        return gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=5)
    return open(path, "w", encoding="utf-8", newline="")


def _wrap(text: str, width: int = 68) -> list[str]:
    """Break at spaces into telegram-width lines (each kept with its trailing space)."""
    lines, start = [], 0
    while len(text) - start > width:
        cut = text.rfind(" ", start, start + width)
        if cut <= start:
            cut = start + width
        lines.append(text[start : cut + 1])
        start = cut + 1
    lines.append(text[start:])
    return lines


def _page_breaks(lines: list[str], station: str, number: int, pages: int) -> Iterator[str]:
    """Lines with the `STATION 0000NNNN  002 OF 004` break every ~55 lines (mid-sentence)."""
    per_page = max(1, math.ceil(len(lines) / pages))
    for i, line in enumerate(lines):
        if i and i % per_page == 0 and i // per_page < pages:
            yield from ("", f"{station} {number:08d}  {i // per_page + 1:03d} OF {pages:03d}", "")
        yield line


def generate(n: int, *, seed: int = 0, ids: Path | None = None) -> Iterator[CsvRow]:
    """N rows of a synthetic cables.csv. With `ids`, the real reference ids (evenly spread over
    the file when N is smaller, in its order); REF lines cite cables earlier in this corpus."""
    rng = random.Random(seed)
    if ids is None:
        idents = _made_up_ids(n, rng)
    else:
        every = read_ids(ids)
        if n > len(every):
            raise ValueError(f"{ids} holds {len(every)} reference ids; asked for {n}")
        idents = [every[(i * len(every)) // n] for i in range(n)] if n else []
    writer = _Writer(rng, pool=min(60000, 1000 + 20 * n))
    recent: list[str] = []
    for index, ident in enumerate(idents):
        cited: list[str] = []
        if recent and rng.random() < 0.45:
            cited = list(dict.fromkeys(rng.choice(recent) for _ in range(rng.randint(1, 4))))
        yield writer.cable(index, ident, cited)
        recent.append(ident.reference_id)
        if len(recent) > 4000:
            del recent[:2000]


def write_corpus(out: Path, n: int, *, seed: int = 0, ids: Path | None = None) -> int:
    """Write the corpus to `out` (gzip if it ends in .gz) via a temporary file renamed at the
    end, so an interrupted run leaves no half-written corpus; returns the bytes written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with _open_out(tmp, gz=out.suffix == ".gz") as stream:
            write_rows(stream, generate(n, seed=seed, ids=ids))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out.stat().st_size

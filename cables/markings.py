"""Portion markings and banner classifications, read leniently but never guessed.

Cables mark paragraphs as `(C)`, `(S//NF)`, `(C//REL ISAF)`, `(U//FOUO)`, in lower case, with
typos (`(SNF)`, `(N/SF)`, `(C NF)`), or in words (`(Confidential)`). Things that look alike but are
not markings must stay text: office symbols (`(S/CT)`, `(S/WCI)`), the `(b)` and `(d)` of
"1.4 (b) and (d)", `(U.S.)`. So a marking is accepted only when its level AND every caveat after it
are known words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cables.model import Level, Marking

_LEVEL_WORDS: dict[str, Level] = {
    "U": Level.U,
    "UNCLAS": Level.U,
    "UNCLASSIFIED": Level.U,
    "SBU": Level.SBU,
    "FOUO": Level.SBU,
    "LOU": Level.SBU,
    "CUI": Level.SBU,
    "C": Level.C,
    "CONFIDENTIAL": Level.C,
    "S": Level.S,
    "SECRET": Level.S,
    "TS": Level.TS,
    "TOP SECRET": Level.TS,
}
# Caveats of controlled unclassified information: they lift an (U) paragraph, or an UNCLAS
# banner, to SBU. Portion markings write the codes, banners the words (`SENSITIVE`).
CUI_CAVEATS = frozenset(
    {"FOUO", "SBU", "LOU", "SENSITIVE", "DEA SENSITIVE", "SENSITIVE BUT UNCLASSIFIED"}
)
_SIMPLE_CAVEATS: dict[str, str] = {
    "NF": "NF",
    "NOFORN": "NF",
    "FGI": "FGI",
    "FOUO": "FOUO",
    "SBU": "SBU",
    "LOU": "LOU",
    "OC": "ORCON",
    "ORCON": "ORCON",
    "PROPIN": "PROPIN",
    "LES": "LES",
    "EXDIS": "EXDIS",
    "NODIS": "NODIS",
    "SI": "SI",
}
# Misspellings seen in the corpus, mapped to what the drafter meant.
_TYPOS: dict[str, str] = {"SNF": "S/NF", "CNF": "C/NF", "N/SF": "S/NF", "S/FN": "S/NF"}
_LEVEL_RE = re.compile(
    r"(TOP SECRET|UNCLASSIFIED|CONFIDENTIAL|SECRET|UNCLAS|SBU|FOUO|LOU|CUI|TS|U|C|S)"
    r"(?=$|[\s/,\-])"
)
_REL_RE = re.compile(r"REL(?:\s+TO)?\s+([A-Z][A-Z ,]*[A-Z])$")
_WHOLE_RE = re.compile(r"ENTIRE\s+TEXT|WHOLE\s+TEXT|ENTIRE\s+MESSAGE")
_DOUBLED_RE = re.compile(r"^([SC])\1(?=ECRET|ONFIDENTIAL)")
_FGI_RE = re.compile(r"FGI(?:\s+[A-Z]{2,4})?$")


def _caveat(part: str) -> str | None:
    """One caveat in canonical spelling, or None when `part` is not a caveat word."""
    if part in _SIMPLE_CAVEATS:
        return _SIMPLE_CAVEATS[part]
    if _FGI_RE.match(part):
        return part
    m = _REL_RE.match(part)
    if m:
        countries = " ".join(m.group(1).replace(",", " ").split())
        return f"REL {countries}"
    if _WHOLE_RE.fullmatch(part):
        return "ENTIRE TEXT"
    return None


@lru_cache(maxsize=4096)  # the same few dozen markings recur; Marking is immutable
def parse_marking(text: str) -> Marking | None:
    """Read one portion marking such as `(S//NF)` (parentheses optional, or one of them missing as
    in `C)`); None if it is not one."""
    inner = text.strip()
    if inner.startswith("("):
        inner = inner[1:]
    if inner.endswith(")"):
        inner = inner[:-1]
    inner = " ".join(inner.upper().split())
    if not inner or len(inner) > 120:
        return None
    inner = _TYPOS.get(inner, inner)
    m = _LEVEL_RE.match(inner)
    if not m:
        return None
    level = _LEVEL_WORDS[m.group(1)]
    rest = inner[m.end() :].strip(" -,")
    caveats: list[str] = []
    if rest:
        parts = rest.split("/") if "/" in rest else _split_unslashed(rest)
        for raw_part in parts:
            part = raw_part.strip(" -,")
            if not part:
                continue
            caveat = _caveat(part)
            if caveat is None:
                return None
            if caveat != "ENTIRE TEXT" and caveat not in caveats:
                caveats.append(caveat)
    if level is Level.U and CUI_CAVEATS.intersection(caveats):
        level = Level.SBU
    return Marking(level, tuple(caveats))


def _split_unslashed(rest: str) -> list[str]:
    """`C NF` and `C - ENTIRE TEXT` have no slash: split words, keeping `REL ...` whole."""
    if rest.startswith("REL") or _WHOLE_RE.fullmatch(rest):
        return [rest]
    return rest.split()


def is_whole_text_marking(text: str) -> bool:
    """True for `(C - ENTIRE TEXT)` and the like, which mark every paragraph of the cable."""
    return bool(_WHOLE_RE.search(text.upper())) and parse_marking(text) is not None


def level_of_classification(value: str | None) -> Level:
    """The level of a header or banner classification (`SECRET//NOFORN`, `C O N F I D E N T I A L`).

    Also reads banners that lost their first letter (`ECRET`, `ONFIDENTIAL`) or doubled it
    (`SS E C R E T`, `CC O N F I D E N T I A L`), as some pages do.
    Controlled unclassified information (FOUO, SBU, LOU) is level SBU.
    """
    if not value:
        return Level.UNMARKED
    squeezed = re.sub(r"[^A-Z]", "", value.upper())
    squeezed = _DOUBLED_RE.sub(r"\1", squeezed)
    if squeezed.startswith("TOPSECRET"):
        return Level.TS
    if squeezed.startswith(("SECRET", "ECRET")):
        return Level.S
    if squeezed.startswith(("CONFIDENTIAL", "ONFIDENTIAL")):
        return Level.C
    if squeezed.startswith(("UNCLAS", "NCLAS")):
        rest = squeezed[len("UNCLASSIFIED") :] if squeezed.startswith("UNCLASSIFIED") else squeezed
        if any(
            w in rest
            for w in ("FOROFFICIALUSEONLY", "FOUO", "SBU", "SENSITIVE", "LOU", "LIMITEDOFFICIALUSE")
        ):
            return Level.SBU
        return Level.U
    if squeezed.startswith(("SBU", "SENSITIVEBUTUNCLASSIFIED", "LIMITEDOFFICIALUSE", "FOUO")):
        return Level.SBU
    return Level.UNMARKED

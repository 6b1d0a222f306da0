"""The domain knowledge the extractor is fed, read from ``ontology/`` data files.

``ontology/gazetteer/*.tsv`` lists known entities (label, class, aliases, Wikidata id,
attributes); ``ontology/lexicon/*.tsv`` lists trigger words, titles and generic heads. Nothing
here is Python literals: edit the files, not this module.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .schema import CLASSES

__all__ = ["Entry", "Gazetteer", "Lexicon", "ontology_dir", "load_gazetteer", "load_lexicon",
           "norm"]

KNOWN_CLASSES = (*CLASSES, "Outlet")


def ontology_dir() -> Path:
    """The ``ontology/`` folder: ``$KG_ONTOLOGY_DIR`` or the one beside this package."""
    env = os.environ.get("KG_ONTOLOGY_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "ontology"


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a surface form (cached: the same
    names are looked up many times in every article).

    >>> norm("The U.S.'s")
    'u s'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['\u2019]s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"^\s*the\s+", "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Entry:
    """One known entity of the gazetteer."""

    label: str
    cls: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    attrs: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

    def attr(self, key: str) -> tuple[str, ...]:
        return self.attrs.get(key, ())

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _attrs(raw: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in (raw or "").split(";"))):
        key, _, value = part.partition("=")
        out[key.strip()] = tuple(v.strip() for v in value.split("|") if v.strip())
    return out


class Gazetteer:
    """Known entities, looked up by any of their surface forms."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_label: dict[str, Entry] = {}
        self._by_norm: dict[str, Entry] = {}
        self.demonyms: dict[str, Entry] = {}
        for entry in entries:
            if entry.label in self.by_label:
                raise ValueError(f"gazetteer: label {entry.label!r} listed twice")
            self.by_label[entry.label] = entry
        for entry in entries:
            for form in entry.forms:
                self._by_norm.setdefault(norm(form), entry)
            for demonym in entry.attr("demonym"):
                self.demonyms.setdefault(demonym, entry)

    def lookup(self, text: str) -> Entry | None:
        """The entry one of whose forms normalises like ``text``, if any."""
        return self._by_norm.get(norm(text))

    def parent_of(self, label: str) -> str | None:
        entry = self.by_label.get(label)
        parents = entry.attr("parent") if entry else ()
        return parents[0] if parents else None

    def seat_of(self, label: str) -> Entry | None:
        """The country whose government sits in the place called ``label`` (its
        ``capital_of``), if any: "Beijing" -> China."""
        entry = self.by_label.get(label)
        seat = entry.attr("capital_of") if entry else ()
        return self.by_label.get(seat[0]) if seat else None

    def country_of(self, label: str) -> Entry | None:
        """The country a known place lies in, through its ``in=`` chain ("Suwon" -> South
        Korea; a country is its own), or None."""
        entry = self.by_label.get(label)
        for _ in range(5):
            if entry is None or "country" in entry.attr("kind"):
                return entry
            up = entry.attr("in")
            entry = self.by_label.get(up[0]) if up else None
        return None

    def maker_of(self, label: str) -> str | None:
        entry = self.by_label.get(label)
        makers = entry.attr("maker") if entry else ()
        return makers[0] if makers else None


@lru_cache(maxsize=4)
def load_gazetteer(folder: Path | None = None) -> Gazetteer:
    folder = folder or ontology_dir() / "gazetteer"
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.tsv")):
        for row in _rows(path):
            cls = (row.get("class") or "").strip()
            label = (row.get("label") or "").strip()
            if not label:
                continue
            if cls not in KNOWN_CLASSES:
                raise ValueError(f"{path}: {label!r} has unknown class {cls!r}")
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            entries.append(
                Entry(
                    label=label,
                    cls=cls,
                    aliases=aliases,
                    wikidata=(row.get("wikidata") or "").strip() or None,
                    attrs=_attrs(row.get("attrs") or ""),
                )
            )
    return Gazetteer(entries)


@dataclass(frozen=True)
class Lexicon:
    """Trigger lemmas per property, job titles, offices and generic heads."""

    triggers: dict[str, frozenset[str]]
    titles: dict[str, tuple[str, str]]
    offices: dict[str, str]
    heads: dict[str, str]
    stoplist: frozenset[str] = frozenset()
    cues: dict[str, frozenset[str]] = field(default_factory=dict)

    def fires(self, prop: str, lemma: str) -> bool:
        return lemma.lower() in self.triggers.get(prop, frozenset())

    def cue(self, name: str) -> frozenset[str]:
        """The named word set of ``cues.tsv``; an unknown name is an error."""
        try:
            return self.cues[name]
        except KeyError:
            raise KeyError(f"no cue set {name!r} in ontology/lexicon/cues.tsv; known: "
                           f"{', '.join(sorted(self.cues))}") from None


def _cue_sets(rows: list[dict[str, str]]) -> dict[str, frozenset[str]]:
    """Named word sets; a word ``@other`` includes the set ``other`` (defined anywhere)."""
    raw: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        raw[row["set"].strip()].append(row["word"].strip().lower())

    def words(name: str, path: tuple[str, ...] = ()) -> set[str]:
        if name not in raw or name in path:
            raise ValueError(f"cues.tsv: set {name!r} is unknown or includes itself")
        out: set[str] = set()
        for w in raw[name]:
            out |= words(w[1:], (*path, name)) if w.startswith("@") else {w}
        return out

    return {name: frozenset(words(name)) for name in raw}


@lru_cache(maxsize=4)
def load_lexicon(folder: Path | None = None) -> Lexicon:
    folder = folder or ontology_dir() / "lexicon"
    triggers: dict[str, set[str]] = defaultdict(set)
    for row in _rows(folder / "triggers.tsv"):
        triggers[row["property"].strip()].add(row["lemma"].strip().lower())
    titles = {
        r["title"].strip().lower(): (r["property"].strip(), r["scope"].strip())
        for r in _rows(folder / "titles.tsv")
    }
    offices = {r["phrase"].strip(): r["body"].strip() for r in _rows(folder / "offices.tsv")}
    heads = {r["head"].strip().lower(): r["class"].strip() for r in _rows(folder / "heads.tsv")}
    stop = frozenset(norm(r["form"]) for r in _rows(folder / "stoplist.tsv"))
    # cues.tsv, and one file per rule family in cues/ (any number; a set may span files)
    cue_rows = _rows(folder / "cues.tsv")
    for path in sorted((folder / "cues").glob("*.tsv")):
        cue_rows += _rows(path)
    cues = _cue_sets(cue_rows)
    return Lexicon({k: frozenset(v) for k, v in triggers.items()}, titles, offices, heads, stop,
                   cues)

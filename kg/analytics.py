"""Rankings, paths, neighbourhoods and communities over the networkx projection.

Every function takes the MultiDiGraph of :func:`kg.graph.project` first and returns frozen
dataclasses; ``kg rank``, ``kg path``, ``kg neighbors`` and ``kg communities`` print them
with :func:`format_rank`, :func:`format_paths`, :func:`format_neighbors` and
:func:`format_communities` (``table`` or ``json``).

How the graph is read:

* **degree**: an entity's number of relations, in and out (a pair of entities linked by
  two predicates counts twice);
* **pagerank**: PageRank (damping 0.85) along the relations' direction, parallel relations
  adding up, as :func:`networkx.pagerank` defines it; computed with numpy, so it needs no
  scipy;
* **betweenness** (normalised to [0, 1]) is exact up to :data:`EXACT_BETWEENNESS`
  entities; above, it is estimated from :data:`BETWEENNESS_SAMPLES` source entities drawn
  with a fixed seed (exact betweenness takes minutes past a few thousand entities);
* betweenness, **paths**, **neighbours** and **communities** ignore direction: a chip
  and the firm that buys it are connected whichever way the relation points. Paths and
  neighbours still show each relation in its true direction (``A --p--> B`` or
  ``A <--p-- B``; a symmetric property reads ``A <--p--> B``) with the sentences behind it;
  a relation only kg's gazetteer supports is shown as background knowledge, with the
  sentences that mention both, never as stated by them (decision 0014);
* **communities**: Louvain (:func:`networkx.community.louvain_communities`) on the
  undirected simple graph, with a fixed seed so that the same graph gives the same answer.

Errors: :class:`~kg.errors.NoPathError` when two entities are not
connected at all.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from .errors import NoPathError
from .graph import distances
from .tables import (
    ALSO_BACKGROUND,
    FORMATS,
    MENTIONED_TOGETHER,
    as_json,
    background_note,
    check_format,
    one_line,
    table,
)
from .vocab import SYMMETRIC, local_name, short_name

__all__ = [
    "RANK_MEASURES",
    "EXACT_BETWEENNESS",
    "BETWEENNESS_SAMPLES",
    "betweenness_samples",
    "FORMATS",
    "DEFAULT_SEED",
    "NoPathError",
    "Relation",
    "Ranked",
    "Hop",
    "Path",
    "Paths",
    "Neighbor",
    "Member",
    "Community",
    "NAME_MEMBERS",
    "with_classes",
    "community",
    "scores",
    "pagerank",
    "rank",
    "paths",
    "neighbors",
    "communities",
    "format_rank",
    "format_paths",
    "format_neighbors",
    "format_communities",
]

RANK_MEASURES = ("degree", "pagerank", "betweenness")
EXACT_BETWEENNESS = 2000
BETWEENNESS_SAMPLES = 500
DEFAULT_SEED = 42


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Relation:
    """One relation ``subject predicate object`` with its ``(article, sentence)`` sources:
    ``evidence``, the sentences stating it, and ``background``, those where kg's gazetteer
    supplied it, which only mention both (see :func:`kg.graph.project`)."""

    subject: str
    subject_label: str
    predicate: str
    object: str
    object_label: str
    evidence: tuple[tuple[str, str], ...]
    background: tuple[tuple[str, str], ...] = ()

    @property
    def is_background(self) -> bool:
        """True when only kg's gazetteer supports the relation: no sentence states it."""
        return bool(self.background) and not self.evidence

    @property
    def basis(self) -> str:
        """``"background"`` (:attr:`is_background`) or ``"text"``."""
        return "background" if self.is_background else "text"

    def reading(self, start: str) -> str:
        """The relation read from ``start`` (its subject or its object).

        ``ByteDance --purchases--> H20`` from the subject, ``H20 <--purchases-- ByteDance``
        from the object, ``Baidu <--competesWith--> Alibaba`` for a symmetric property.
        """
        if start == self.subject:
            near, far, forward = self.subject_label, self.object_label, True
        else:
            near, far, forward = self.object_label, self.subject_label, False
        if self.predicate in SYMMETRIC:
            return f"{near} <--{self.predicate}--> {far}"
        if forward:
            return f"{near} --{self.predicate}--> {far}"
        return f"{near} <--{self.predicate}-- {far}"

    def as_dict(self, start: str) -> dict:
        """The relation as JSON-ready data, read from ``start`` (see :meth:`reading`)."""
        return {
            "subject": self.subject,
            "subject_label": self.subject_label,
            "predicate": self.predicate,
            "object": self.object,
            "object_label": self.object_label,
            "direction": "forward" if start == self.subject else "backward",
            "text": self.reading(start),
            "basis": self.basis,
            "evidence": [{"article": a, "sentence": s} for a, s in self.evidence],
            "background": [{"article": a, "sentence": s} for a, s in self.background],
        }


@dataclass(frozen=True)
class Ranked:
    """An entity's place in a ranking."""

    rank: int
    iri: str
    label: str
    cls: str
    score: float
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Hop:
    """One step of a path, from ``start`` to ``end``, by one relation or several."""

    start: str
    start_label: str
    end: str
    end_label: str
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class Path:
    """A shortest path: the entities it goes through and the hops between them."""

    entities: tuple[str, ...]
    labels: tuple[str, ...]
    hops: tuple[Hop, ...]


@dataclass(frozen=True)
class Paths:
    """The shortest paths found between two entities (all of the same length), and whether
    more of that length exist than were asked for; ``via`` and ``excluded`` (classes) are
    the conditions they were found under (:func:`paths`)."""

    source: str
    target: str
    found: tuple[Path, ...]
    more: bool
    via: str | None = None
    excluded: tuple[str, ...] = ()

    @property
    def length(self) -> int:
        return len(self.found[0].hops)


@dataclass(frozen=True)
class Neighbor:
    """An entity ``distance`` hops away, with the relations linking it to the entities one
    hop nearer (read from them)."""

    iri: str
    label: str
    cls: str
    distance: int
    relations: tuple[Relation, ...]
    via: tuple[str, ...]  # the nearer end of each relation, in the same order


@dataclass(frozen=True)
class Member:
    """An entity of a community, with its degree in the whole graph."""

    iri: str
    label: str
    cls: str
    degree: int


#: How many of its entities (highest degree first) name a community.
NAME_MEMBERS = 3


@dataclass(frozen=True)
class Community:
    """A community: its number (1 = largest) and its members, highest degree first."""

    number: int
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def name(self) -> str:
        """Its :data:`NAME_MEMBERS` entities of highest degree: ``"Nvidia / TSMC / Huawei"``."""
        return " / ".join(m.label for m in self.members[:NAME_MEMBERS])

    def of_classes(self, classes: Iterable[str]) -> tuple[Member, ...]:
        """Its members of one of ``classes``, highest degree first."""
        wanted = set(classes)
        return tuple(m for m in self.members if m.cls in wanted)


# --------------------------------------------------------------------------- ranking


def pagerank(
    graph: nx.MultiDiGraph, *, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 1000
) -> dict[str, float]:
    """PageRank of every node, as :func:`networkx.pagerank` defines it (uniform teleport,
    dangling nodes spread evenly, parallel edges adding up), by sparse power iteration in
    numpy: networkx's own needs scipy. The scores sum to 1.
    """
    import numpy as np

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in graph.edges()]
    src = np.array([p[0] for p in pairs], dtype=np.int64)
    dst = np.array([p[1] for p in pairs], dtype=np.int64)
    out = np.bincount(src, minlength=n).astype(float)
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        spread = np.bincount(dst, weights=x[src] / out[src], minlength=n) if len(src) else 0.0
        new = alpha * (spread + x[dangling].sum() / n) + (1.0 - alpha) / n
        done = float(np.abs(new - x).sum()) < n * tol
        x = new
        if done:
            break
    return {v: float(s) for v, s in zip(nodes, x, strict=True)}


def betweenness_samples(graph: nx.MultiDiGraph, samples: int | None = None) -> int | None:
    """How many source entities betweenness is estimated from (None: computed exactly).

    ``samples``: None for the default (exact up to :data:`EXACT_BETWEENNESS` entities,
    :data:`BETWEENNESS_SAMPLES` above), 0 for exact, else that many.
    """
    n = graph.number_of_nodes()
    if samples is None:
        samples = BETWEENNESS_SAMPLES if n > EXACT_BETWEENNESS else 0
    return samples if 0 < samples < n else None


def scores(
    graph: nx.MultiDiGraph, by: str = "degree", *, samples: int | None = None
) -> dict[str, float]:
    """Every entity's ``degree``, ``pagerank`` or ``betweenness`` (see the module docstring).

    Betweenness is normalised to [0, 1] on the undirected simple graph, and estimated
    (reproducibly) as :func:`betweenness_samples` says.
    """
    if by == "degree":
        return {n: float(d) for n, d in graph.degree()}
    if by == "pagerank":
        return pagerank(graph)
    if by == "betweenness":
        return nx.betweenness_centrality(
            _simple(graph), k=betweenness_samples(graph, samples), normalized=True,
            seed=DEFAULT_SEED,
        )
    raise ValueError(f"unknown measure {by!r}; expected one of {', '.join(RANK_MEASURES)}")


def rank(
    graph: nx.MultiDiGraph,
    by: str = "degree",
    *,
    classes: Iterable[str] | None = None,
    top: int | None = 20,
    samples: int | None = None,
) -> tuple[Ranked, ...]:
    """The ``top`` entities (all if None or 0) by ``by``, best first (ties: by label).

    Scores are computed on the whole graph; ``classes`` only filters the list, so a chip's
    rank is its place among chips for a score that counts every relation. ``samples``: see
    :func:`betweenness_samples`.
    """
    values = scores(graph, by, samples=samples)
    wanted = None if classes is None else set(classes)
    nodes = [n for n in graph if wanted is None or graph.nodes[n].get("cls") in wanted]
    nodes.sort(key=lambda n: (-values[n], _label(graph, n).casefold(), n))
    if top:
        nodes = nodes[:top]
    return tuple(
        Ranked(
            rank=i,
            iri=n,
            label=_label(graph, n),
            cls=graph.nodes[n].get("cls", ""),
            score=values[n],
            articles=tuple(graph.nodes[n].get("articles", ())),
        )
        for i, n in enumerate(nodes, start=1)
    )


# --------------------------------------------------------------------------- paths


def paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_paths: int = 3,
    exclude_classes: Iterable[str] | None = None,
    via: str | None = None,
) -> Paths:
    """Up to ``max_paths`` shortest paths from ``source`` to ``target``, ignoring direction
    (sorted by the labels along them), and whether there are more of the same length.

    ``exclude_classes``: no entity of these classes on the way (the two ends, and ``via``,
    may be of them), so that a question is not answered through a hub such as "China".
    ``via``: only paths through that entity, the shortest ones from ``source`` to it joined
    to the shortest from it to ``target``, never passing an entity twice.

    Each hop lists every relation between its two entities, in its true direction, with its
    sources. ``source == target`` gives one path of no hops. Raises :class:`NoPathError`
    when the two are not connected (under those conditions).
    """
    excluded = tuple(dict.fromkeys(exclude_classes or ()))
    if source == target and via in (None, source):
        return Paths(source, target, (Path((source,), (_label(graph, source),), ()),), False,
                     via=via, excluded=excluded)
    simple = _simple(graph)
    if excluded:
        ends = {source, target, via}
        simple.remove_nodes_from([n for n, cls in simple.nodes(data="cls")
                                  if cls in excluded and n not in ends])
    legs_cut = False  # a leg has more shortest paths than were joined
    if via is None or via in (source, target):
        found = _shortest(simple, source, target, max_paths + 1)
    else:
        firsts = _shortest(simple, source, via, max_paths + 1)
        seconds = _shortest(simple, via, target, max_paths + 1)
        legs_cut = len(firsts) > max_paths or len(seconds) > max_paths
        joined = (first + second[1:] for first, second in itertools.product(firsts, seconds))
        found = [p for p in joined if len(set(p)) == len(p)]
    if not found:
        raise NoPathError(_no_path(graph, simple, source, target, via, excluded))
    chosen = sorted(found[:max_paths], key=lambda p: [_label(graph, n).casefold() for n in p])
    return Paths(source, target, tuple(_path(graph, nodes) for nodes in chosen),
                 more=len(found) > max_paths or legs_cut, via=via, excluded=excluded)


def _shortest(simple: nx.Graph, a: str, b: str, limit: int) -> list[list[str]]:
    try:
        return list(itertools.islice(nx.all_shortest_paths(simple, a, b), limit))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


def _no_path(graph: nx.MultiDiGraph, simple: nx.Graph, source: str, target: str,
             via: str | None, excluded: tuple[str, ...]) -> str:
    a, b = _label(graph, source), _label(graph, target)
    if not excluded and via is None:
        return (f"no path between {a!r} and {b!r}, even ignoring the relations' direction: "
                f"{_part(simple, source)} and {_part(simple, target)}. `kg neighbors` shows "
                "what each is connected to")
    conditions = []
    if via is not None:
        conditions.append(f"through {_label(graph, via)!r} (without passing an entity twice)")
    if excluded:
        conditions.append(f"avoiding every {', '.join(excluded)}")
    loosen = " or ".join(o for o, on in (("--via", via is not None),
                                         ("--exclude-type", bool(excluded))) if on)
    return (f"no path between {a!r} and {b!r} {' and '.join(conditions)}, even ignoring "
            f"the relations' direction; leave out {loosen} to see the paths there are")


def _path(graph: nx.MultiDiGraph, nodes: list[str]) -> Path:
    hops = tuple(
        Hop(
            start=u,
            start_label=_label(graph, u),
            end=v,
            end_label=_label(graph, v),
            relations=_relations_between(graph, u, v),
        )
        for u, v in itertools.pairwise(nodes)
    )
    return Path(tuple(nodes), tuple(_label(graph, n) for n in nodes), hops)


def _part(simple: nx.Graph, node: str) -> str:
    size = len(nx.node_connected_component(simple, node))
    if size == 1:
        return f"{_label(simple, node)!r} has no relations"
    return f"{_label(simple, node)!r} is in a group of {size} connected entities"


# --------------------------------------------------------------------------- neighbours


def neighbors(graph: nx.MultiDiGraph, iri: str, depth: int = 1) -> tuple[Neighbor, ...]:
    """The entities at most ``depth`` hops from ``iri`` (ignoring direction), nearest first,
    each with the relations linking it to the entities one hop nearer.

    Uses :func:`kg.graph.distances`, as ``kg viz --focus`` does.
    """
    dist = distances(graph, iri, depth)
    out = []
    for node, d in dist.items():
        if d == 0:
            continue
        relations: list[Relation] = []
        via: list[str] = []
        nearer = sorted(
            (m for m in itertools.chain(graph.predecessors(node), graph.successors(node))
             if dist.get(m) == d - 1),
            key=lambda m: (_label(graph, m).casefold(), m),
        )
        for m in dict.fromkeys(nearer):
            for relation in _relations_between(graph, m, node):
                relations.append(relation)
                via.append(m)
        out.append(
            Neighbor(
                iri=node,
                label=_label(graph, node),
                cls=graph.nodes[node].get("cls", ""),
                distance=d,
                relations=tuple(relations),
                via=tuple(via),
            )
        )
    out.sort(key=lambda n: (n.distance, n.label.casefold(), n.iri))
    return tuple(out)


# --------------------------------------------------------------------------- communities


def communities(
    graph: nx.MultiDiGraph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0
) -> tuple[Community, ...]:
    """Louvain communities of the undirected simple graph, largest first; together they
    hold every entity exactly once (an entity with no relation is a community of one).

    Members are listed by degree in the whole graph, highest first. The same graph and
    ``seed`` always give the same communities.
    """
    simple = _simple(graph)
    if simple.number_of_nodes() == 0:
        return ()
    found = nx.community.louvain_communities(simple, weight=None, resolution=resolution,
                                             seed=seed)
    degree = dict(graph.degree())
    groups = []
    for group in found:
        members = sorted(
            (Member(n, _label(graph, n), graph.nodes[n].get("cls", ""), degree[n])
             for n in group),
            key=lambda m: (-m.degree, m.label.casefold(), m.iri),
        )
        groups.append(members)
    groups.sort(key=lambda ms: (-len(ms), -ms[0].degree, ms[0].label.casefold(), ms[0].iri))
    return tuple(Community(i, tuple(ms)) for i, ms in enumerate(groups, start=1))


def with_classes(found: tuple[Community, ...], classes: Iterable[str] | None
                 ) -> tuple[Community, ...]:
    """The communities holding an entity of one of ``classes`` (all if None), numbers kept."""
    if classes is None:
        return found
    wanted = tuple(classes)
    return tuple(c for c in found if c.of_classes(wanted))


def community(graph: nx.MultiDiGraph, number: int, *, seed: int = DEFAULT_SEED) -> Community:
    """Community ``number`` of :func:`communities` (same graph, same ``seed``: the number
    ``kg communities`` shows). ValueError when there are fewer."""
    found = communities(graph, seed=seed)
    if not 1 <= number <= len(found):
        raise ValueError(f"there is no community {number}: the graph has {len(found)} "
                         f"(seed {seed}); `kg communities --top 0` lists them")
    return found[number - 1]


# --------------------------------------------------------------------------- helpers


def _label(graph: nx.Graph, node: str) -> str:
    return str(graph.nodes[node].get("label") or local_name(node))



def _simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph: one edge per pair of related entities."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def _relations_between(graph: nx.MultiDiGraph, a: str, b: str) -> tuple[Relation, ...]:
    """Every relation between ``a`` and ``b``, either way: ``a``'s first, then by predicate."""
    found = []
    for s, o in ((a, b), (b, a)):
        for key, data in sorted(graph.get_edge_data(s, o, default={}).items()):
            found.append(
                Relation(
                    subject=s,
                    subject_label=_label(graph, s),
                    predicate=str(data.get("predicate") or key),
                    object=o,
                    object_label=_label(graph, o),
                    evidence=tuple(tuple(e) for e in data.get("evidence", ())),
                    background=tuple(tuple(e) for e in data.get("background", ())),
                )
            )
    return tuple(found)


# --------------------------------------------------------------------------- output


def format_rank(ranked: tuple[Ranked, ...], by: str, fmt: str = "table", *,
                width: int | None = None) -> str:
    """The ranking as a table (rank, entity, class, score, number of articles, id), fitted
    to ``width`` (see :func:`kg.tables.table`), or JSON."""
    check_format(fmt)
    if fmt == "json":
        return as_json({
            "by": by,
            "entities": [
                {"rank": r.rank, "iri": r.iri, "label": r.label, "class": r.cls,
                 "score": r.score, "articles": list(r.articles)}
                for r in ranked
            ],
        })
    rows = [
        [str(r.rank), r.label, r.cls, f"{r.score:.0f}" if by == "degree" else f"{r.score:.4f}",
         str(len(r.articles)), short_name(r.iri)]
        for r in ranked
    ]
    return table(["rank", "entity", "class", by, "articles", "id"], rows, right=(0, 3, 4),
                 width=width, keep=(2, 5))


def format_paths(result: Paths, fmt: str = "table") -> str:
    """The paths hop by hop, each relation with its sources, or JSON."""
    check_format(fmt)
    found, more = result.found, result.more
    if fmt == "json":
        return as_json({
            "source": result.source,
            "target": result.target,
            "via": result.via,
            "exclude_types": list(result.excluded),
            "length": result.length,
            "more": more,
            "paths": [
                {
                    "entities": [{"iri": i, "label": lb} for i, lb in zip(p.entities, p.labels,
                                                                         strict=True)],
                    "hops": [
                        {"from": h.start, "to": h.end,
                         "relations": [r.as_dict(h.start) for r in h.relations]}
                        for h in p.hops
                    ],
                }
                for p in found
            ],
        })
    first = found[0]
    n = len(first.hops)
    if n == 0:
        return (f"{first.labels[0]}: the two names are the same entity "
                f"({short_name(first.entities[0])})\n")
    where = ""
    if result.via is not None:
        where += f" via {first.labels[first.entities.index(result.via)]}"
    if result.excluded:
        where += f", avoiding {', '.join(result.excluded)}"
    lines = [
        f"{first.labels[0]} to {first.labels[-1]}{where}: {len(found)} shortest path"
        f"{'s' if len(found) != 1 else ''} of {n} hop{'s' if n != 1 else ''}"
        + (" (more exist: raise --max)" if more else "")
    ]
    for i, path in enumerate(found, start=1):
        lines.append("")
        lines.append(f"path {i}: " + " · ".join(path.labels))
        for hop in path.hops:
            for relation in hop.relations:
                lines.append(f"  {relation.reading(hop.start)}")
                lines += [f"      {line}" for line in _support_lines(relation)]
    return "\n".join(lines) + "\n"


def _support_lines(relation: Relation) -> list[str]:
    """The sentences stating a relation; for one only kg's gazetteer supports, that it is
    background knowledge and the sentences that merely mention both (decision 0014)."""
    if relation.is_background:
        note = background_note(relation.subject_label, relation.predicate,
                               relation.object_label)
        return [note] + [f"{MENTIONED_TOGETHER} [{article}] {one_line(sentence)}"
                         for article, sentence in relation.background]
    lines = [f"[{article}] {one_line(sentence)}" for article, sentence in relation.evidence]
    return lines + ([ALSO_BACKGROUND] if relation.background else [])


def format_neighbors(center: str, found: tuple[Neighbor, ...], fmt: str = "table", *,
                     width: int | None = None) -> str:
    """The neighbours as a table (distance, entity, class, id, relations), fitted to
    ``width``, or JSON."""
    check_format(fmt)
    if fmt == "json":
        return as_json({
            "entity": center,
            "neighbors": [
                {"iri": n.iri, "label": n.label, "class": n.cls, "distance": n.distance,
                 "relations": [r.as_dict(v) for r, v in zip(n.relations, n.via, strict=True)]}
                for n in found
            ],
        })
    rows = [
        [str(n.distance), n.label, n.cls, short_name(n.iri),
         "; ".join(r.reading(v) + (" (background)" if r.is_background else "")
                   for r, v in zip(n.relations, n.via, strict=True))]
        for n in found
    ]
    return table(["distance", "entity", "class", "id", "relations"], rows, right=(0,),
                 width=width, keep=(2, 3))


def format_communities(
    found: tuple[Community, ...], fmt: str = "table", *, members: int = 8,
    classes: Iterable[str] | None = None, width: int | None = None,
) -> str:
    """The communities as a table (number, size, classes, name, first ``members`` members by
    degree; 0 = all), fitted to ``width``, or JSON (every member).

    ``classes`` lists only members of those classes (a community with none is left out by
    :func:`with_classes`); ``size``, the class counts and the name stay the whole
    community's, so the numbers match ``kg communities`` without ``--type``.
    """
    check_format(fmt)
    wanted = None if classes is None else tuple(classes)

    def listed(c: Community) -> tuple[Member, ...]:
        return c.members if wanted is None else c.of_classes(wanted)

    if fmt == "json":
        return as_json({
            "communities": [
                {"community": c.number, "name": c.name, "size": c.size,
                 "members": [{"iri": m.iri, "label": m.label, "class": m.cls,
                              "degree": m.degree} for m in listed(c)]}
                for c in found
            ],
        })
    rows = []
    for c in found:
        counts = Counter(m.cls or "untyped" for m in c.members)
        own = listed(c)
        shown = own[:members] if members else own
        names = ", ".join(m.label for m in shown)
        if len(shown) < len(own):
            names += f", ... (+{len(own) - len(shown)} more)"
        rows.append([
            str(c.number), str(c.size),
            ", ".join(f"{k} {v}" for k, v in sorted(counts.items(),
                                                    key=lambda kv: (-kv[1], kv[0]))),
            c.name, names,
        ])
    head = "members (by degree)" if wanted is None else f"{', '.join(wanted)} (by degree)"
    return table(["community", "size", "classes", "name", head], rows, right=(0, 1),
                 width=width)

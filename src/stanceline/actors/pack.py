"""Domain packs: load the YAML files of a pack, validate them, build its records.

A pack is a folder of YAML files (see ``docs/packs.md``). Loading is pure apart
from reading the files; ``load_pack`` caches by folder and modification time so a
worker process builds the index once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from stanceline.errors import PackError
from stanceline.records import PartialDate

ACTOR_KINDS = {"person", "organization", "government", "outlet"}
AFFILIATIONS = {
    "state", "irgc-linked", "principlist", "reformist", "moderate", "opposition-in-exile",
    "western", "gulf", "independent", "think-tank", "other",
}
POLARITIES = {"against", "for", "neutral"}

# Keys each kind of entry understands. Anything else is reported as a warning (a typo such as
# ``aliasses`` would otherwise silently drop data) — never as an error, so a pack written for a
# newer stanceline still loads.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "pack": frozenset({"id", "name", "version", "description", "languages", "period", "source", "license"}),
    "actors": frozenset({"id", "name", "kind", "country", "aliases", "roles", "factions", "description", "source",
                         "uncertain", "notes"}),
    "outlets": frozenset({"id", "name", "aliases", "country", "affiliation", "language", "medium", "factions",
                          "description", "source", "url", "notes"}),
    "roles": frozenset({"title", "office", "start", "end", "uncertain", "note"}),
    "memberships": frozenset({"faction", "start", "end", "uncertain", "note"}),
    "offices": frozenset({"id", "label", "country", "mentions", "generic_mentions", "concurrent", "description"}),
    "factions": frozenset({"id", "label", "description"}),
    "targets": frozenset({"id", "label", "counterparts", "topics", "speaker_countries", "counterpart_country", "priority", "description"}),
    "arguments": frozenset({"id", "label", "polarity", "description", "cues", "examples"}),
    "conditions": frozenset({"id", "label", "cues", "description"}),
    "events": frozenset({"id", "date", "kind", "description", "actors"}),
}


@dataclass(frozen=True)
class Role:
    title: str
    office: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    uncertain: bool = False

    def covers(self, when: PartialDate | None) -> bool:
        if when is None:
            return self.end is None
        key = when.sort_key()
        if self.start and key < self.start.sort_key():
            return False
        return not (self.end and key > _end_key(self.end))


@dataclass(frozen=True)
class Membership:
    faction: str
    start: PartialDate | None = None
    end: PartialDate | None = None
    uncertain: bool = False

    def covers(self, when: PartialDate | None) -> bool:
        return Role("", None, self.start, self.end).covers(when) if when else self.end is None


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    country: str | None = None
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    factions: tuple[Membership, ...] = ()
    description: str = ""
    source: str = ""
    affiliation: str | None = None  # outlets
    language: str | None = None  # outlets
    medium: str | None = None  # outlets

    def role_on(self, when: PartialDate | None) -> Role | None:
        for role in self.roles:
            if role.covers(when):
                return role
        return self.roles[-1] if self.roles else None

    def factions_on(self, when: PartialDate | None) -> list[str]:
        current = [m.faction for m in self.factions if m.covers(when)]
        return current or [m.faction for m in self.factions if m.start is None and m.end is None]


@dataclass(frozen=True)
class Office:
    id: str
    label: str
    country: str | None = None
    mentions: tuple[str, ...] = ()
    generic_mentions: tuple[str, ...] = ()
    # Several people hold it at once (Tehran's rotating Friday prayer leaders): a bare role
    # noun then names nobody in particular and must not be linked to one of them.
    concurrent: bool = False


@dataclass(frozen=True)
class Faction:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Target:
    id: str
    label: str
    counterparts: tuple[str, ...] = ()  # phrases naming the other side
    topics: tuple[str, ...] = ()  # phrases naming the object (JCPOA, nuclear deal …)
    speaker_countries: tuple[str, ...] = ()  # perspective; empty = anyone
    priority: int = 0
    counterpart_country: str | None = None  # a speaker of this country cannot be its own counterpart


@dataclass(frozen=True)
class Argument:
    id: str
    label: str
    polarity: str
    description: str = ""
    cues: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate | None
    description: str
    actors: tuple[str, ...] = ()
    kind: str = ""


@dataclass(frozen=True, eq=False)  # identity hash: a loaded pack is a cache key
class Pack:
    id: str
    name: str
    version: str
    path: Path
    description: str = ""
    actors: dict[str, Actor] = field(default_factory=dict)  # persons, orgs, governments, outlets
    offices: dict[str, Office] = field(default_factory=dict)
    factions: dict[str, Faction] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    negotiation_terms: tuple[str, ...] = ()
    context_terms: tuple[str, ...] = ()  # on target only in a document about a target
    arguments: tuple[Argument, ...] = ()
    conditions: tuple[Condition, ...] = ()
    events: tuple[Event, ...] = ()
    warnings: tuple[str, ...] = ()  # line-numbered, like PackError.problems, but not fatal

    @property
    def outlets(self) -> list[Actor]:
        return [a for a in self.actors.values() if a.kind == "outlet"]

    def office_holders(self, office_id: str, when: PartialDate | None) -> list[Actor]:
        """Every actor holding ``office_id`` on ``when``, latest start first."""
        found: dict[str, tuple[str, Actor]] = {}
        for actor in self.actors.values():
            for role in actor.roles:
                if role.office == office_id and role.covers(when):
                    key = role.start.sort_key() if role.start else ""
                    if actor.id not in found or key > found[actor.id][0]:
                        found[actor.id] = (key, actor)
        return [a for _, a in sorted(found.values(), key=lambda pair: pair[0], reverse=True)]

    def office_holder(self, office_id: str, when: PartialDate | None) -> Actor | None:
        """The actor holding ``office_id`` on ``when`` (latest start wins on overlaps).

        ``None`` for a ``concurrent`` office held by several people on that date: picking
        one of them would be a guess.
        """
        holders = self.office_holders(office_id, when)
        office = self.offices.get(office_id)
        if office is not None and office.concurrent and len(holders) > 1:
            return None
        return holders[0] if holders else None

    def faction_of(self, actor_id: str | None, when: PartialDate | None) -> list[str]:
        """Faction ids ``actor_id`` spoke for on ``when``; an outlet stands for its affiliation.

        Dated memberships are used when the actor has them; an outlet without factions of its
        own falls back to its ``affiliation`` when that names a faction of the pack. Unknown
        and provisional actors belong to no faction.
        """
        actor = self.actors.get(actor_id or "")
        if actor is None:
            return []
        found = list(dict.fromkeys(actor.factions_on(when)))
        if not found and actor.kind == "outlet" and actor.affiliation in self.factions:
            found = [str(actor.affiliation)]
        return found


def _end_key(end: PartialDate) -> str:
    return f"{end.year:04d}-{end.month or 12:02d}-{end.day or 31:02d}"


# The C loader (libyaml) when present: the bundled pack loads several times faster.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that records each mapping's line as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: YAML would raise on "2018-04-31" before validation could say which line.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.warnings: list[str] = []

    def add(self, file: str, line: Any, message: str) -> None:
        self.items.append(f"{file}:{line if line else '?'}: {message}")

    def warn(self, file: str, line: Any, message: str) -> None:
        self.warnings.append(f"{file}:{line if line else '?'}: warning: {message}")

    def keys(self, item: dict[str, Any], section: str, file: str, what: str) -> bool:
        """Warn about keys the loader does not read, suggesting the closest known key; always True
        (so that it can sit in a comprehension's condition)."""
        known = KNOWN_KEYS[section]
        for key in item:
            if key == "__line__" or key in known:
                continue
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.warn(file, item.get("__line__"), f"{what}: unknown key {key!r} is ignored{hint}")
        return True


def _read_yaml(path: Path, problems: _Problems) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(path.name, mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}")
        return {}
    except UnicodeDecodeError:
        problems.add(path.name, None, "not UTF-8 text")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(path.name, 1, "top level must be a mapping")
        return {}
    return data


def _date(value: Any, file: str, line: Any, what: str, problems: _Problems) -> PartialDate | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int):
        value = str(value)
    parsed = PartialDate.parse(str(value)) if isinstance(value, str) else None
    text = str(value)
    ok = parsed is not None and parsed.iso() == text  # "2018-13-09" must not quietly become 2018
    if ok and parsed is not None and parsed.day:
        try:
            dt.date(parsed.year, parsed.month or 1, parsed.day)
        except ValueError:
            ok = False
    if not ok:
        problems.add(file, line, f"{what}: bad date {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
        return None
    return parsed


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v is not None and str(v).strip())


def _list(data: dict[str, Any], key: str, file: str, problems: _Problems) -> list[dict[str, Any]]:
    items = data.get(key) or []
    if not isinstance(items, list):
        problems.add(file, data.get("__line__"), f"'{key}' must be a list")
        return []
    good = []
    for item in items:
        if not isinstance(item, dict):
            problems.add(file, None, f"every entry of '{key}' must be a mapping, got {item!r}")
            continue
        if not item.get("id"):
            problems.add(file, item.get("__line__"), f"entry of '{key}' has no id")
            continue
        good.append(item)
    return good


def _actor(item: dict[str, Any], file: str, problems: _Problems, outlet: bool) -> Actor:
    line = item.get("__line__")
    problems.keys(item, "outlets" if outlet else "actors", file, f"{'outlet' if outlet else 'actor'} {item['id']!r}")
    kind = "outlet" if outlet else str(item.get("kind", ""))
    if kind not in ACTOR_KINDS:
        problems.add(file, line, f"actor {item['id']!r}: kind must be one of {sorted(ACTOR_KINDS - {'outlet'})}")
    if not item.get("name"):
        problems.add(file, line, f"actor {item['id']!r} has no name")
    roles = []
    for r in item.get("roles") or []:
        if not isinstance(r, dict):
            problems.add(file, line, f"{item['id']}: every role must be a mapping (title, office, start, end), got {r!r}")
            continue
        rl = r.get("__line__", line)
        problems.keys(r, "roles", file, f"{item['id']} role")
        start = _date(r.get("start"), file, rl, f"{item['id']} role start", problems)
        end = _date(r.get("end"), file, rl, f"{item['id']} role end", problems)
        if start and end and start.sort_key() > _end_key(end):
            problems.add(file, rl, f"{item['id']}: role ends before it starts")
        roles.append(Role(str(r.get("title") or r.get("office") or ""), r.get("office"), start, end, bool(r.get("uncertain"))))
    memberships = []
    for f in item.get("factions") or []:
        if isinstance(f, str):
            memberships.append(Membership(f))
            continue
        if not isinstance(f, dict):
            problems.add(file, line, f"{item['id']}: a faction membership is an id or a mapping, got {f!r}")
            continue
        fl = f.get("__line__", line)
        problems.keys(f, "memberships", file, f"{item['id']} faction")
        memberships.append(Membership(
            str(f.get("faction", "")),
            _date(f.get("start"), file, fl, f"{item['id']} faction start", problems),
            _date(f.get("end"), file, fl, f"{item['id']} faction end", problems),
            bool(f.get("uncertain")),
        ))
    affiliation = item.get("affiliation")
    if outlet and affiliation and affiliation not in AFFILIATIONS:
        problems.add(file, line, f"outlet {item['id']!r}: unknown affiliation {affiliation!r}")
    return Actor(
        id=str(item["id"]), name=str(item.get("name", item["id"])), kind=kind,
        country=item.get("country"), aliases=_strs(item.get("aliases")), roles=tuple(roles),
        factions=tuple(memberships), description=str(item.get("description") or ""),
        source=str(item.get("source") or ""), affiliation=affiliation,
        language=item.get("language"), medium=item.get("medium"),
    )


_SPACE = re.compile(r"\s+")
# Arabic-script letters written two ways: Arabic yeh/kaf/alef maksura vs Persian forms, ta
# marbuta vs heh. Unified so that a name typed on either keyboard finds the same actor.
_SCRIPT_VARIANTS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "’": "'", "‘": "'", "-": " ",
                                  "‐": " ", "‑": " ", "–": " ", "ـ": None, "\u200c": "", "\u200d": ""})


def fold(text: str) -> str:
    """Case-, accent- and script-variant-insensitive key used for every alias lookup."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_SCRIPT_VARIANTS)
    return _SPACE.sub(" ", text.casefold()).strip(" .,;:")


def _casefold(text: str) -> str:
    return fold(text)


def validate_and_build(path: Path) -> Pack:
    """Read every file of the pack at ``path``; raise ``PackError`` listing all problems."""
    problems = _Problems()
    if not path.is_dir():
        raise PackError(f"pack folder not found: {path}")
    meta = _read_yaml(path / "pack.yaml", problems)
    if not meta and not problems.items:
        problems.add("pack.yaml", None, "missing (needs at least id and name)")
    problems.keys(meta, "pack", "pack.yaml", "pack")
    for key in ("id", "name"):
        if meta and not meta.get(key):
            problems.add("pack.yaml", meta.get("__line__"), f"needs {key!r}")
    factions: dict[str, Faction] = {}
    for f in _list(_read_yaml(path / "factions.yaml", problems), "factions", "factions.yaml", problems):
        problems.keys(f, "factions", "factions.yaml", f"faction {f['id']!r}")
        if str(f["id"]) in factions:
            problems.add("factions.yaml", f.get("__line__"), f"duplicate faction id {f['id']!r}")
        factions[str(f["id"])] = Faction(str(f["id"]), str(f.get("label", f["id"])), str(f.get("description") or ""))
    offices: dict[str, Office] = {}
    mention_owner: dict[str, str] = {}
    for o in _list(_read_yaml(path / "offices.yaml", problems), "offices", "offices.yaml", problems):
        oid, oline = str(o["id"]), o.get("__line__")
        problems.keys(o, "offices", "offices.yaml", f"office {oid!r}")
        if oid in offices:
            problems.add("offices.yaml", oline, f"duplicate office id {oid!r}")
        concurrent = o.get("concurrent", False)
        if not isinstance(concurrent, bool):
            problems.add("offices.yaml", oline, f"office {oid!r}: concurrent must be true or false, got {concurrent!r}")
            concurrent = False
        office = Office(oid, str(o.get("label", oid)), o.get("country"), _strs(o.get("mentions")),
                        _strs(o.get("generic_mentions")), concurrent)
        for mention in office.mentions:
            key = fold(re.sub(r"(?i)^(the|a|an)\s+", "", mention))
            owner = mention_owner.setdefault(key, oid)
            if owner != oid:
                problems.add("offices.yaml", oline, f"office {oid!r}: mention {mention!r} also names office {owner!r}")
        offices[oid] = office
    actors: dict[str, Actor] = {}
    lines: dict[str, tuple[str, Any]] = {}
    for file, key, outlet in (("actors.yaml", "actors", False), ("outlets.yaml", "outlets", True)):
        for item in _list(_read_yaml(path / file, problems), key, file, problems):
            actor = _actor(item, file, problems, outlet)
            if actor.id in actors:
                first = lines[actor.id]
                problems.add(file, item.get("__line__"), f"duplicate id {actor.id!r} (first at {first[0]}:{first[1]})")
                continue
            actors[actor.id] = actor
            lines[actor.id] = (file, item.get("__line__"))
    alias_owner: dict[str, str] = {}
    held: dict[str, list[tuple[Role, str]]] = {}
    for actor in actors.values():
        file, line = lines[actor.id]
        for role in actor.roles:
            if role.office and role.office not in offices:
                close = difflib.get_close_matches(role.office, sorted(offices), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.add(file, line, f"{actor.id}: unknown office {role.office!r}{hint}")
            elif role.office:
                held.setdefault(role.office, []).append((role, actor.id))
        for m in actor.factions:
            if m.faction not in factions:
                close = difflib.get_close_matches(m.faction, sorted(factions), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.add(file, line, f"{actor.id}: unknown faction {m.faction!r}{hint}")
        for alias in {_casefold(a) for a in (actor.name, *actor.aliases)}:
            owner = alias_owner.setdefault(alias, actor.id)
            if owner != actor.id:
                ofile, oline = lines[owner]
                problems.add(file, line, f"alias {alias!r} of {actor.id!r} clashes with {owner!r} ({ofile}:{oline}); "
                                         "an alias must name one actor")
    _check_overlaps(held, offices, lines, problems)
    tdata = _read_yaml(path / "targets.yaml", problems)
    targets = tuple(
        Target(str(t["id"]), str(t.get("label", t["id"])), _strs(t.get("counterparts")), _strs(t.get("topics")),
               _strs(t.get("speaker_countries")), int(t.get("priority", 0)), t.get("counterpart_country"))
        for t in _list(tdata, "targets", "targets.yaml", problems)
        if problems.keys(t, "targets", "targets.yaml", f"target {t['id']!r}")
    )
    arguments = []
    for a in _list(_read_yaml(path / "arguments.yaml", problems), "arguments", "arguments.yaml", problems):
        problems.keys(a, "arguments", "arguments.yaml", f"argument {a['id']!r}")
        polarity = str(a.get("polarity", "neutral"))
        if polarity not in POLARITIES:
            problems.add("arguments.yaml", a.get("__line__"), f"{a['id']}: polarity must be one of {sorted(POLARITIES)}")
        arguments.append(Argument(str(a["id"]), str(a.get("label", a["id"])), polarity, str(a.get("description") or ""),
                                  _strs(a.get("cues")), _strs(a.get("examples"))))
    conditions = tuple(
        Condition(str(c["id"]), str(c.get("label", c["id"])), _strs(c.get("cues")))
        for c in _list(_read_yaml(path / "conditions.yaml", problems), "conditions", "conditions.yaml", problems)
        if problems.keys(c, "conditions", "conditions.yaml", f"condition {c['id']!r}")
    )
    events = tuple(
        Event(str(e["id"]), _date(e.get("date"), "events.yaml", e.get("__line__"), f"{e['id']} date", problems),
              str(e.get("description") or ""), _strs(e.get("actors")), str(e.get("kind") or ""))
        for e in _list(_read_yaml(path / "events.yaml", problems), "events", "events.yaml", problems)
        if problems.keys(e, "events", "events.yaml", f"event {e['id']!r}")
    )
    for ev in events:
        for actor_id in ev.actors:
            if actor_id not in actors:
                problems.add("events.yaml", None, f"{ev.id}: unknown actor {actor_id!r}")
    if problems.items:
        raise PackError(f"pack {path} has {len(problems.items)} problem(s)", problems.items)
    return Pack(
        id=str(meta.get("id", path.name)), name=str(meta.get("name", path.name)),
        version=str(meta.get("version", "0")), path=path, description=str(meta.get("description") or ""),
        actors=actors, offices=offices, factions=factions, targets=targets,
        negotiation_terms=_strs(tdata.get("negotiation_terms")), context_terms=_strs(tdata.get("context_terms")),
        arguments=tuple(arguments),
        conditions=conditions, events=events, warnings=tuple(problems.warnings),
    )


def _check_overlaps(held: dict[str, list[tuple[Role, str]]], offices: dict[str, Office],
                    lines: dict[str, tuple[str, Any]], problems: _Problems) -> None:
    """Warn when two people hold a single-holder office on the same day (a date typo, usually)."""
    for office_id, roles in held.items():
        if offices[office_id].concurrent:
            continue
        dated = sorted((r for r in roles if r[0].start), key=lambda r: r[0].start.sort_key() if r[0].start else "")
        for (a, a_id), (b, b_id) in zip(dated, dated[1:], strict=False):
            if a_id == b_id or a.uncertain or b.uncertain or b.start is None:
                continue
            a_end = _end_key(a.end) if a.end else "9999-12-31"
            # Same-month hand-overs are normal (an acting holder, a swearing-in): only warn past a month.
            if b.start.sort_key()[:7] < a_end[:7]:
                file, line = lines[b_id]
                problems.warn(file, line, f"{b_id} holds {office_id!r} from {b.start} while {a_id} holds it until "
                                          f"{a.end or 'now'}; mark the office 'concurrent: true' or fix the dates")


def _stamp(path: Path) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((p.name, p.stat().st_mtime) for p in path.glob("*.yaml")))


@lru_cache(maxsize=8)
def _load_cached(path: Path, stamp: tuple[tuple[str, float], ...]) -> Pack:
    return validate_and_build(path)


def load_pack(path: Path) -> Pack:
    """Load and validate a pack, once per folder state."""
    path = path.resolve()
    return _load_cached(path, _stamp(path) if path.is_dir() else ())

"""Actors and packs: check a pack, list actors, merge a provisional actor into a known one.

Merges live in the store: ``SqlStore.merge_actor`` moves the statements and marks the
provisional actor ``merged_into`` its target. Ingest reads those marks back
(``actor_merges``) and rewrites, before saving, every later statement whose unlinked
speaker would have become that provisional actor (``apply_merges``) — so a merge
survives re-ingestion and new documents without editing the pack.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stanceline.actors.pack import Pack, fold, validate_and_build
from stanceline.config import BUNDLED_PACK, Settings
from stanceline.errors import PackError, StancelineError
from stanceline.records import ProcessedDocument, Speaker, SpeakerKind
from stanceline.storage import SqlStore, open_store, require_persistent
from stanceline.storage.sql import _provisional_id


@dataclass(frozen=True)
class PackCheck:
    """What ``stanceline pack check`` reports: counts, line-numbered errors and warnings."""

    path: Path
    pack_id: str | None
    version: str | None
    counts: tuple[tuple[str, int], ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def pack_counts(pack: Pack) -> tuple[tuple[str, int], ...]:
    by_kind: dict[str, int] = {}
    for actor in pack.actors.values():
        by_kind[actor.kind] = by_kind.get(actor.kind, 0) + 1
    return (
        ("actors", len(pack.actors) - by_kind.get("outlet", 0)),
        ("persons", by_kind.get("person", 0)),
        ("organizations", by_kind.get("organization", 0)),
        ("governments", by_kind.get("government", 0)),
        ("outlets", by_kind.get("outlet", 0)),
        ("offices", len(pack.offices)),
        ("factions", len(pack.factions)),
        ("targets", len(pack.targets)),
        ("arguments", len(pack.arguments)),
        ("conditions", len(pack.conditions)),
        ("events", len(pack.events)),
    )


def check_pack(path: Path | None = None) -> PackCheck:
    """Validate the pack at ``path`` (default: the bundled one) without the load cache."""
    path = (path or BUNDLED_PACK).resolve()
    if path.is_file() and path.suffix in (".yaml", ".yml"):
        path = path.parent  # "pack check packs/x/actors.yaml" means the pack it belongs to
    try:
        pack = validate_and_build(path)
    except PackError as exc:
        if not exc.problems:
            raise
        errors = tuple(p for p in exc.problems)
        return PackCheck(path, None, None, (), errors, ())
    return PackCheck(path, pack.id, pack.version, pack_counts(pack), (), pack.warnings)


def list_actors(settings: Settings, provisional: bool | None = None) -> list[dict[str, Any]]:
    """Actors in the store with their statement counts; ``provisional=True`` for unknown names."""
    store = open_store(settings.db)
    try:
        return store.actor_rows(provisional)
    finally:
        store.close()


@dataclass(frozen=True)
class MergeResult:
    source: str
    target: str
    target_name: str
    moved: int


def merge_actors(settings: Settings, source: str, target: str) -> MergeResult:
    """Merge provisional actor ``source`` into ``target`` (an id, or a name the pack knows).

    The statements move now; the mark left in the store makes later ingests link the same
    surface forms to ``target``.
    """
    from stanceline.actors.linker import Linker
    from stanceline.actors.pack import load_pack

    require_persistent(settings.db)
    pack = load_pack(settings.pack)
    store = open_store(settings.db)
    try:
        store.sync_actors([(a.id, a.name, a.kind, a.country, list(a.aliases)) for a in pack.actors.values()])
        rows = {r["id"]: r for r in store.actor_rows()}
        source_id = _resolve_source(source, rows)
        target_id = target if target in rows else None
        if target_id is None:
            link = Linker(pack).link(target)
            target_id = link.actor_id if link.method in ("exact", "stripped") else None
        if target_id is None:
            target_id = _provisional_id(target) if _provisional_id(target) in rows else None
        if target_id is None:
            raise StancelineError(f"no actor {target!r} in the pack or the store (see 'stanceline actors')")
        if target_id == source_id:
            raise StancelineError(f"cannot merge {source_id!r} into itself")
        if _follow(target_id, rows) == source_id:
            raise StancelineError(f"{target_id!r} is already merged into {source_id!r}; merging back would loop")
        moved = store.merge_actor(source_id, target_id)
        return MergeResult(source_id, target_id, str(rows[target_id]["name"]), moved)
    finally:
        store.close()


def _resolve_source(source: str, rows: dict[str, dict[str, Any]]) -> str:
    for candidate in (source, _provisional_id(source)):
        row = rows.get(candidate)
        if row is None:
            continue
        if not row["provisional"]:
            raise StancelineError(f"{candidate!r} is a pack actor; edit the pack to change it, "
                                  "merge only provisional actors (see 'stanceline actors --provisional')")
        return candidate
    raise StancelineError(f"no provisional actor {source!r} (see 'stanceline actors --provisional')")


def _follow(actor_id: str, rows: dict[str, dict[str, Any]]) -> str:
    """Where a chain of merges ends (A → B → C gives C); a loop stops where it started."""
    seen = {actor_id}
    while rows.get(actor_id, {}).get("merged_into"):
        actor_id = str(rows[actor_id]["merged_into"])
        if actor_id in seen:
            break
        seen.add(actor_id)
    return actor_id


@dataclass(frozen=True)
class MergeTarget:
    actor_id: str
    name: str
    kind: SpeakerKind


def actor_merges(store: SqlStore) -> dict[str, MergeTarget]:
    """Recorded merges as ``provisional id or folded surface form → target``, chains followed."""
    rows = {r["id"]: r for r in store.actor_rows()}
    merges: dict[str, MergeTarget] = {}
    for row in rows.values():
        if not row.get("merged_into"):
            continue
        end = rows.get(_follow(row["id"], rows))
        if end is None:
            continue
        kind: SpeakerKind = end["kind"] if end["kind"] in ("person", "organization", "outlet", "government") else "unknown"
        # A provisional target keeps its provisional id; the store names it from the speaker.
        target = MergeTarget("" if end["provisional"] else str(end["id"]), str(end["name"]), kind)
        merges[str(row["id"])] = target
        for alias in (row["name"], *(row.get("aliases") or [])):
            merges.setdefault(fold(str(alias)), target)
    return merges


def apply_merges(processed: ProcessedDocument, merges: dict[str, MergeTarget]) -> ProcessedDocument:
    """Relink unlinked speakers that a user merged before (pure; nothing merged → same object)."""
    if not merges or not processed.statements:
        return processed
    changed = False
    statements = []
    for st in processed.statements:
        sp = st.speaker
        target = None
        if sp.actor_id is None:
            target = merges.get(_provisional_id(sp.name)) or merges.get(fold(sp.text)) or merges.get(fold(sp.name))
        if target is None:
            statements.append(st)
            continue
        changed = True
        speaker = Speaker(text=sp.text, name=target.name, kind=target.kind if target.kind != "unknown" else sp.kind,
                          actor_id=target.actor_id or None, role=sp.role, start=sp.start, end=sp.end)
        statements.append(replace(st, speaker=speaker))
    return replace(processed, statements=tuple(statements)) if changed else processed

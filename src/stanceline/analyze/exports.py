"""Export formats beyond JSONL: CSV cells made safe for spreadsheets, Parquet, GraphML networks and PLOVER-style
event JSON."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]

# PLOVER event types for statements about a negotiation: a supportive statement expresses intent to
# agree/negotiate, an opposing one is a rejection, a conditional one a demand (conditions attached).
PLOVER_TYPE = {"support": "AGREE", "oppose": "REJECT", "conditional": "REQUEST"}
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text: text that could start a formula gets a leading
    single quote, as OWASP recommends (the quote shows in other readers; numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_parquet(rows: Sequence[Row], fields: Sequence[str]) -> bytes:
    """Rows (export contract shape) as a Parquet file; list columns stay lists."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {f: [r.get(f) for r in rows] for f in fields}
    schema = pa.schema([
        (f, pa.list_(pa.string()) if f == "conditions" else
         pa.int64() if f in ("start", "end") else pa.float64() if f == "confidence" else pa.string())
        for f in fields])
    table = pa.Table.from_pydict(
        {f: [None if v is None else (list(v) if f == "conditions" else v if f in ("start", "end", "confidence") else str(v))
             for v in vals] for f, vals in columns.items()}, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def to_graphml(rows: Iterable[Row]) -> str:
    """A GraphML network: actor → target edges per stance and actor → outlet edges (who carried whom).

    Opens in Gephi and ``networkx.read_graphml``. Edge ``weight`` is the number of statements.
    """
    stance_edges: Counter[tuple[str, str, str]] = Counter()
    outlet_edges: Counter[tuple[str, str]] = Counter()
    nodes: dict[str, tuple[str, str]] = {}
    for r in rows:
        actor = f"actor:{r.get('actor_id') or r.get('speaker')}"
        nodes.setdefault(actor, (str(r.get("speaker") or actor), "actor"))
        if r.get("target") and r.get("stance"):
            target = f"target:{r['target']}"
            nodes.setdefault(target, (str(r["target"]), "target"))
            stance_edges[(actor, target, str(r["stance"]))] += 1
        outlet = r.get("carrier") or r.get("outlet")
        if outlet:
            node = f"outlet:{outlet}"
            nodes.setdefault(node, (str(outlet), "outlet"))
            outlet_edges[(actor, node)] += 1
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for key, domain, name, typ in (("label", "node", "label", "string"), ("type", "node", "type", "string"),
                                   ("relation", "edge", "relation", "string"), ("stance", "edge", "stance", "string"),
                                   ("weight", "edge", "weight", "int")):
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": key, "for": domain, "attr.name": name, "attr.type": typ})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "stanceline", "edgedefault": "directed"})

    def data(parent: ET.Element, key: str, value: str) -> None:
        ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = value

    for node_id, (label, kind) in sorted(nodes.items()):
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": node_id})
        data(element, "label", label)
        data(element, "type", kind)
    n = 0
    for (src, dst, stance), weight in sorted(stance_edges.items()):
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": f"e{n}", "source": src, "target": dst})
        data(edge, "relation", "stance")
        data(edge, "stance", stance)
        data(edge, "weight", str(weight))
        n += 1
    for (src, dst), weight in sorted(outlet_edges.items()):
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": f"e{n}", "source": src, "target": dst})
        data(edge, "relation", "carried_by")
        data(edge, "weight", str(weight))
        n += 1
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_plover(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Statements that are negotiation events (intent to negotiate, rejection, demand) as PLOVER-style records."""
    events = []
    for r in rows:
        event_type = PLOVER_TYPE.get(str(r.get("stance")))
        if not r.get("target") or event_type is None:
            continue
        events.append({
            "id": r.get("id"), "date": r.get("date"), "event_type": event_type, "mode": "verbal",
            "context": ["negotiation"], "source_actor": r.get("speaker"), "source_actor_id": r.get("actor_id"),
            "source_actor_role": r.get("speaker_role"), "target": r.get("target"),
            "conditions": list(r.get("conditions") or []), "argument": r.get("argument"),
            "text": r.get("text"), "publisher": r.get("outlet"), "carrier": r.get("carrier"),
            "source": r.get("source"), "document_id": r.get("document_id"), "confidence": r.get("confidence"),
            "produced_by": r.get("produced_by"),
        })
    return events

"""The <digit-pad> element's API, documented once: the JSDoc of its class in
site/js/element/digit-pad.js, in the tags that web-component tools read (Shoelace's, the
Custom Elements Manifest analyzer's). build.py makes embed.html's tables from it.

    @attr {"cnn" | "mlp"} [model=cnn] - What it does.     (an attribute, also a property)
    @event {{model: string, gradcam: boolean}} digit-pad:ready - When it is sent. Detail: its fields.
    @method select(index) - What it does.
    @property {string} state - What it tells (read-only).
    @csspart pad - What it is.        @cssproperty --digit-pad-ink - What it sets.
    @slot under-pad - Where it shows.          @slot - The default slot's.

A description may go on over the next lines. In descriptions `code` is code; an event's
"Detail:" starts what its event.detail holds. A page asks for a table with a marker line,
`<!-- digit-pad API: KIND -->` (KIND: attr, event, method (the methods, then the
properties), csspart, cssproperty, slot), which fill() replaces.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

ALIASES = {"attribute": "attr", "fires": "event", "function": "method", "prop": "property", "cssprop": "cssproperty"}
KINDS = ("attr", "event", "method", "property", "csspart", "cssproperty", "slot")
MARKER = re.compile(r"^([ \t]*)<!-- digit-pad API: (\w+) -->[ \t]*$", re.MULTILINE)
CLASS_DOC = re.compile(r"/\*\*((?:(?!\*/).)*)\*/\s*export\s+class\s+\w+", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    kind: str  # one of KINDS
    name: str  # model, digit-pad:ready, select, --digit-pad-ink, ...
    description: str
    type: str = ""  # what stood in {braces}, without them
    default: str = ""  # [name=default]
    signature: str = ""  # a method's name(arguments)


def class_doc(source: str) -> str:
    """The text of the JSDoc block right before the module's exported class, without the stars."""
    found = CLASS_DOC.search(source)
    if found is None:
        raise ValueError("no /** ... */ comment right before `export class`")
    return "\n".join(re.sub(r"^\s*\* ?", "", line) for line in found.group(1).splitlines()).strip()


def _braced(text: str) -> tuple[str, str]:
    """({...}'s inside, the rest) of a text that starts with a brace; the braces may nest."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return text[1:index].strip(), text[index + 1 :].strip()
    raise ValueError(f"unbalanced braces in: {text}")


def _entry(kind: str, text: str) -> Entry:
    kind = ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"unknown tag @{kind} (known: {', '.join(KINDS)})")
    type_ = ""
    if text.startswith("{"):
        type_, text = _braced(text)
    if text.startswith("- "):  # no name: the default slot
        name, description = "", text[2:]
    else:
        name, _, description = text.partition(" - ")
    name, default, signature = name.strip(), "", ""
    if name.startswith("[") and name.endswith("]"):
        name, _, default = name[1:-1].partition("=")
    if kind == "method":
        signature = name if "(" in name else name + "()"
        name = signature.partition("(")[0]
    if not (name or kind == "slot") or not description.strip():
        raise ValueError(f"@{kind} needs a name (a slot may have none), ' - ' and a description: {text}")
    return Entry(kind, name.strip(), " ".join(description.split()), type_, default.strip(), signature)


def parse(source: str) -> list[Entry]:
    """The tagged entries of the class's JSDoc, in their order."""
    entries, tag = [], None
    for line in class_doc(source).splitlines() + ["@end"]:
        started = re.match(r"@(\w+)\s*(.*)", line.strip())
        if started:
            if tag and tag[0] != "summary":
                entries.append(_entry(tag[0], " ".join(tag[1])))
            tag = (started.group(1), [started.group(2)])
        elif tag:
            tag[1].append(line.strip())
    return entries


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))


# --- tables -------------------------------------------------------------------------------


def text(words: str) -> str:
    """HTML of a description: escaped, `code` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(words, quote=False))


def code(words: str) -> str:
    return f"<code>{html.escape(words, quote=False)}</code>"


def _values(type_: str) -> str:
    if "|" not in type_:
        return html.escape(type_, quote=False)
    return " | ".join(code(value.strip().strip("\"'")) for value in type_.split("|"))


def _fields(type_: str) -> str:
    """{a, b, c} of an object type {a: ..., b: ..., c: ...} (the types left to the description)."""
    if not (type_.startswith("{") and type_.endswith("}")):
        return type_
    parts, depth, current = [], 0, ""
    for char in type_[1:-1]:
        depth += {"{": 1, "[": 1, "(": 1, "}": -1, "]": -1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return "{" + ", ".join(part.split(":")[0].strip() for part in parts if part.strip()) + "}"


def _event_cells(entry: Entry) -> list[str]:
    when, _, detail = entry.description.partition("Detail:")
    detail = text(detail.strip())
    if entry.type:
        detail = code(_fields(entry.type)) + (": " + detail if detail else "")
    return [code(entry.name), text(when.strip().removesuffix(".")), detail]


HEADS = {
    "attr": ["attribute", "values", "default", "what it does"],
    "event": ["event", "when", "<code>event.detail</code>"],
    "method": ["method or property", "what it does or tells"],
    "csspart": ["<code>::part()</code>", "what it is"],
    "cssproperty": ["custom property", "what it sets"],
    "slot": ["<code>slot</code>", "where it shows"],
}


def _cells(entry: Entry) -> list[str]:
    if entry.kind == "attr":
        return [
            code(entry.name),
            _values(entry.type),
            code(entry.default) if entry.default else "",
            text(entry.description),
        ]
    if entry.kind == "event":
        return _event_cells(entry)
    if entry.kind == "slot" and not entry.name:
        return ["(default)", text(entry.description)]
    return [code(entry.signature or entry.name), text(entry.description)]


def table(entries: list[Entry], kind: str, indent: str = "") -> str:
    """The HTML table of one kind of entry (methods: the methods, then the properties)."""
    if kind not in HEADS:
        raise ValueError(f"no table for {kind!r} (tables: {', '.join(HEADS)})")
    kinds = ("method", "property") if kind == "method" else (kind,)
    rows = [entry for wanted in kinds for entry in entries if entry.kind == wanted]
    if not rows:
        raise ValueError(f"the JSDoc has no @{kind}")
    lines = ["<table>", "  <thead><tr>" + "".join(f"<th>{head}</th>" for head in HEADS[kind]) + "</tr></thead>"]
    lines += ["  <tbody>"]
    lines += ["    <tr>" + "".join(f"<td>{cell}</td>" for cell in _cells(entry)) + "</tr>" for entry in rows]
    lines += ["  </tbody>", "</table>"]
    return "\n".join(indent + line for line in lines)


def fill(page: Path, entries: list[Entry]) -> list[str]:
    """Replaces each `<!-- digit-pad API: KIND -->` line of `page` with KIND's table; returns the kinds."""
    source = page.read_text(encoding="utf-8")
    kinds = [match.group(2) for match in MARKER.finditer(source)]
    if kinds:
        page.write_text(MARKER.sub(lambda m: table(entries, m.group(2), m.group(1)), source), encoding="utf-8")
    return kinds

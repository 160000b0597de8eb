"""The <digit-pad> element's API is documented once, in the JSDoc of its class (digit-pad.js):
everything the element has is there, and nothing it does not have (webapp/element_api.py
makes embed.html's tables from it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp import element_api

ELEMENT = Path(__file__).resolve().parents[1] / "site" / "js" / "element"
SOURCE = (ELEMENT / "digit-pad.js").read_text(encoding="utf-8")


def documented(kind: str) -> list[str]:
    return [entry.name for entry in element_api.parse(SOURCE) if entry.kind == kind]


def element_class(source: str) -> str:
    """The body of `export class DigitPadElement`, up to the class's closing brace at column 0."""
    start = source.index("export class DigitPadElement")
    return source[start : source.index("\n}\n", start)]


def test_every_observed_attribute_is_documented_and_only_those():
    attributes = (ELEMENT / "attributes.js").read_text(encoding="utf-8")
    observed = re.search(r"static observedAttributes = \[([^\]]*)\]", attributes).group(1)
    names = re.findall(r'"([^"]+)"', observed)
    assert names and sorted(documented("attr")) == sorted(names)
    getters = re.findall(r"^  get (\w+)\(", attributes, re.MULTILINE)
    assert sorted(getters) == sorted(names), "each attribute is also a property (attributes.js)"


def test_every_event_the_element_sends_is_documented_and_only_those():
    assert "new CustomEvent(`digit-pad:${type}`" in SOURCE, "the element's events are sent by #emit(type, ...)"
    sent = {f"digit-pad:{name}" for name in re.findall(r'this\.#emit\("([\w-]+)"', SOURCE)}
    for path in ELEMENT.glob("*.js"):
        sent |= set(re.findall(r"""new CustomEvent\(\s*["'`](digit-pad:[\w-]+)["'`]""", path.read_text("utf-8")))
    assert len(sent) >= 4 and set(documented("event")) == sent


LIFECYCLE = {"constructor", "connectedCallback", "disconnectedCallback", "adoptedCallback", "attributeChangedCallback"}


def test_every_public_method_and_property_is_documented_and_only_those():
    body = element_class(SOURCE)
    methods = set(re.findall(r"^  (?:async\s+)?([A-Za-z]\w*)\(", body, re.MULTILINE)) - LIFECYCLE
    assert {"clear", "undo", "select", "pick", "compareWith", "showError"} <= methods
    assert set(documented("method")) == methods
    getters = re.findall(r"((?:/\*\*(?:(?!\*/).)*\*/\s*)?)^  get (\w+)\(", body, re.MULTILINE | re.DOTALL)
    public = {name for doc, name in getters if "@internal" not in doc}
    assert {"state", "prediction"} <= public and set(documented("property")) == public


def test_every_part_slot_and_custom_property_is_documented_and_only_those():
    template = (ELEMENT / "template.js").read_text(encoding="utf-8")
    styles = (ELEMENT / "styles.js").read_text(encoding="utf-8")
    assert sorted(documented("csspart")) == sorted(re.findall(r'\bpart="([\w-]+)"', template))
    assert sorted(documented("slot")) == sorted(re.findall(r'<slot name="([\w-]+)"', template))
    assert set(documented("cssproperty")) == set(re.findall(r"var\((--digit-pad-[\w-]+)", styles))


def test_the_jsdoc_has_a_default_for_each_attribute_and_a_detail_for_each_event():
    entries = element_api.parse(SOURCE)
    assert all(entry.default and entry.type for entry in entries if entry.kind == "attr")
    assert all("Detail:" in entry.description for entry in entries if entry.kind == "event")


SAMPLE = """
/**
 * A sample.
 *
 * @summary Not an entry.
 * @attr {"a" | 'b'} [size=a] - How big: `a` is
 *   small, b is <big>.
 * @attribute {boolean} on - Shown.
 * @fires {{x: number, y: {z: string[]}}} sample:moved - it moved. Detail: where to.
 * @event sample:gone - it went.
 * @method go(where, how) - Goes.
 * @function stop - Stops.
 * @prop {string} state - `ready` | `gone`.
 * @csspart knob - The knob.
 * @cssprop --sample-ink - The ink.
 * @slot - The default slot.
 */
export class Sample extends HTMLElement {}
"""


def test_the_parser_reads_types_defaults_aliases_and_continued_lines():
    entries = {entry.name: entry for entry in element_api.parse(SAMPLE)}
    size = entries["size"]
    assert (size.kind, size.type, size.default) == ("attr", "\"a\" | 'b'", "a")
    assert size.description == "How big: `a` is small, b is <big>."
    assert entries["on"].kind == "attr" and entries["on"].default == ""
    moved = entries["sample:moved"]
    assert (moved.kind, moved.type) == ("event", "x: number, y: {z: string[]}".join("{}"))
    assert entries["go"].signature == "go(where, how)" and entries["stop"].signature == "stop()"
    assert entries["state"].kind == "property" and entries["--sample-ink"].kind == "cssproperty"
    assert entries[""].kind == "slot" and entries[""].description == "The default slot."
    assert "summary" not in {entry.kind for entry in entries.values()}


def test_the_tables_escape_html_and_show_code():
    entries = element_api.parse(SAMPLE)
    attrs = element_api.table(entries, "attr")
    assert "<td><code>a</code> | <code>b</code></td><td><code>a</code></td>" in attrs
    assert "How big: <code>a</code> is small, b is &lt;big&gt;." in attrs
    assert "<thead>" in attrs and attrs.count("<tr>") == 3
    events = element_api.table(entries, "event")
    assert "<td>it moved</td><td><code>{x, y}</code>: where to.</td>" in events
    assert "<td>it went</td><td></td>" in events
    methods = element_api.table(entries, "method")
    rows = re.findall(r"<tr><td><code>([^<]+)</code>", methods)
    assert rows == ["go(where, how)", "stop()", "state"]  # the methods, then the properties
    assert "<tr><td>(default)</td><td>The default slot.</td></tr>" in element_api.table(entries, "slot")
    with pytest.raises(ValueError, match="no @slot"):
        element_api.table([], "slot")


def test_unknown_tags_and_entries_without_a_description_stop_the_build():
    with pytest.raises(ValueError, match="unknown tag @atr"):
        element_api.parse(SAMPLE.replace("@attribute", "@atr"))
    with pytest.raises(ValueError, match="needs a name"):
        element_api.parse(SAMPLE.replace("@csspart knob - The knob.", "@csspart knob"))
    with pytest.raises(ValueError, match="export class"):
        element_api.parse("/** @attr a - b */\nconst x = 1;")


def test_fill_replaces_each_marker_line_with_its_table(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text("<main>\n    <!-- digit-pad API: csspart -->\n  <p>x</p>\n</main>\n")
    assert element_api.fill(page, element_api.parse(SOURCE)) == ["csspart"]
    html = page.read_text()
    assert "digit-pad API" not in html and "\n    <table>\n" in html and "<td><code>pad</code></td>" in html
    page.write_text("<!-- digit-pad API: nothing -->\n")
    with pytest.raises(ValueError, match="no table for 'nothing'"):
        element_api.fill(page, element_api.parse(SOURCE))

"""js/element/contract.js, written by build.py into dist/: train/contract.json (the constants that
training, export and the page share, see train/contract.py) as an ES module, so that the page's
JavaScript reads the very values Python reads. A plain module: it works in every browser that
runs the element, offline and under the pages' Content Security Policy (no fetch, no JSON
modules, no inline script). It is not in site/: only the build makes it.

Each top-level section of the JSON is one named export, its name in capitals (pen -> PEN),
deep-frozen:

    import { PEN } from "./contract.js";   // PEN.bitmap_size, PEN.ink_width_ratio, ...
"""

from __future__ import annotations

import json
import re
from pathlib import Path

TARGET = "js/element/contract.js"  # in dist/
_SECTION = re.compile(r"^[a-z][a-z0-9_]*$")

_FROZEN = """\
function frozen(value) {
  if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) frozen(item);
    Object.freeze(value);
  }
  return value;
}"""


def read(source: Path) -> dict:
    """The contract: a JSON object of sections, each a JSON object."""
    data = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{source.name}: not a JSON object of sections")
    for name, section in data.items():
        if not _SECTION.match(name) or not isinstance(section, dict):
            raise ValueError(f"{source.name}: section {name!r} is not a lower_case name holding an object")
    return data


def module(data: dict, source: str = "train/contract.json") -> str:
    """The ES module's text: the JSON as it is (a JSON text is a JavaScript expression), then the exports."""
    lines = [
        f"// Written by build.py from {source} (webapp/contract.py): edit that file, not this one.",
        f"// What each constant means: {source.removesuffix('.json')}.py.",
        "",
        f"const CONTRACT = {json.dumps(data, indent=2, ensure_ascii=True)};",
        "",
        _FROZEN,
        "",
        *(f"export const {name.upper()} = frozen(CONTRACT.{name});" for name in data),
        "",
    ]
    return "\n".join(lines)


def write(source: Path, folder: Path) -> Path:
    """Writes folder/js/element/contract.js from the JSON file `source`; returns its path."""
    target = folder / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(module(read(source)), encoding="utf-8")
    return target

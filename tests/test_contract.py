"""One source for the constants that training, export and the page share: train/contract.json.
Python reads it through train/contract.py, the page's JavaScript through the ES module build.py
writes from it (webapp/contract.py), which must hold exactly the JSON."""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import numpy as np
import pytest

from train import contract
from webapp import contract as contract_module

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "train" / "contract.json"
DATA = json.loads(SOURCE.read_text(encoding="utf-8"))


def test_python_reads_the_json():
    assert contract.CONTRACT == DATA
    pen, model, verdict = DATA["pen"], DATA["model"], DATA["verdict"]
    assert (contract.BITMAP_SIZE, contract.NUMBER_BITMAP_WIDTH) == (pen["bitmap_size"], pen["number_bitmap_width"])
    assert (contract.LINE_WIDTH, contract.INK_WIDTH_RATIO, contract.MIN_INK_WIDTH) == (
        pen["line_width"], pen["ink_width_ratio"], pen["min_ink_width"],
    )  # fmt: skip
    assert (contract.FORMAT_VERSION, contract.INPUT_NAME, contract.OUTPUT_NAME) == (
        model["format_version"], model["input_name"], model["output_name"],
    )  # fmt: skip
    assert contract.VERDICTS == tuple(verdict["names"]) and contract.METHODS == tuple(verdict["methods"])
    assert set(contract.METHODS_READING_NOT_DIGIT_OUTPUT) <= set(contract.METHODS)


def test_the_pen_is_what_the_models_were_trained_with():
    """The shipped models' input depends on these bit for bit: changing one means retraining."""
    assert (contract.BITMAP_SIZE, contract.NUMBER_BITMAP_WIDTH) == (280, 840)
    assert (contract.LINE_WIDTH, contract.INK_WIDTH_RATIO, contract.MIN_INK_WIDTH) == (18.0, 0.145, 4.0)
    assert all(isinstance(v, float) for v in (contract.LINE_WIDTH, contract.INK_WIDTH_RATIO, contract.MIN_INK_WIDTH))


def exported_json(module_text: str) -> dict:
    """The JSON literal the generated module holds (`const CONTRACT = {...};`)."""
    found = re.search(r"^const CONTRACT = (\{.*?^\});$", module_text, re.DOTALL | re.MULTILINE)
    assert found, "the module holds `const CONTRACT = {...};`"
    return json.loads(found.group(1))


def test_the_generated_module_holds_the_json_and_exports_each_section():
    text = contract_module.module(contract_module.read(SOURCE))
    assert exported_json(text) == DATA
    exports = re.findall(r"^export const (\w+) = frozen\(CONTRACT\.(\w+)\);$", text, re.MULTILINE)
    assert exports == [(name.upper(), name) for name in DATA]
    assert "<script" not in text and "fetch(" not in text and " with {" not in text  # a plain module


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_generated_module_gives_javascript_the_json(tmp_path: Path):
    """Node imports the module as the browser does: each export is its section, equal and frozen."""
    (tmp_path / "package.json").write_text('{"type": "module"}')  # .js files are ES modules here, as in a page
    path = contract_module.write(SOURCE, tmp_path)
    script = (
        f"const m = await import({json.dumps(path.as_uri())});"
        "const frozen = (v) => typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(frozen));"
        f"console.log(JSON.stringify({{sections: {{{', '.join(f'{n}: m.{n.upper()}' for n in DATA)}}},"
        f" frozen: [{', '.join(f'm.{n.upper()}' for n in DATA)}].every(frozen)}}));"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result == {"sections": DATA, "frozen": True}
    # Numbers as JavaScript holds them: the same doubles Python parses from the JSON.
    assert result["sections"]["pen"]["ink_width_ratio"] == contract.INK_WIDTH_RATIO


def test_the_module_is_made_by_the_build_only():
    assert not (ROOT / "site" / contract_module.TARGET).exists(), "site/ holds no copy: build.py writes it into dist/"


@pytest.mark.parametrize("bad", ['["pen"]', '{"Pen": {}}', '{"pen": 280}', "{}"])
def test_a_malformed_contract_is_refused(tmp_path: Path, bad: str):
    (tmp_path / "contract.json").write_text(bad)
    with pytest.raises(ValueError):
        contract_module.read(tmp_path / "contract.json")


# --- no copy of the contract anywhere else ---------------------------------------------------
# The code that training, export, evaluation and the page run (tests state the values on purpose).
SOURCES = sorted(
    path
    for folder in ("train", "export", "evaluate", "site", "bench", "webapp")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in (".py", ".js", ".mjs", ".html") and "__pycache__" not in path.parts
) + [ROOT / "build.py", ROOT / "toolchain.py"]
PYTHON = [path for path in SOURCES if path.suffix == ".py" and path != ROOT / "train" / "contract.py"]
SCRIPTS = [path for path in SOURCES if path.suffix != ".py"]  # JavaScript, and pages that may hold some

PEN = DATA["pen"]
# The pen's numbers that mean nothing else: the sizes and the ratio (18 and 4 are too common a number to
# look for; the names that held them are looked for instead, below).
DISTINCT_NUMBERS = sorted({float(v) for v in PEN.values() if v >= 100 or v != int(v)})
MODEL_NAMES = {DATA["model"]["input_name"], DATA["model"]["output_name"]}
METHODS = set(DATA["verdict"]["methods"])
# Python names that held a copy: they may only be read from the contract, never given a literal.
PYTHON_NAMES = {
    "BITMAP_SIZE", "NUMBER_BITMAP_WIDTH", "LINE_WIDTH", "INK_WIDTH_RATIO", "MIN_INK_WIDTH",
    "FORMAT_VERSION", "MODEL_FORMAT_VERSION", "INPUT_NAME", "OUTPUT_NAME", "VERDICTS", "METHODS",
}  # fmt: skip
# ink.js's keys for the pen's widths: only from the contract's PEN, never a number (its sizes are
# found by their numbers).
JS_PEN_KEY = re.compile(r"\b(?:lineWidth|widthRatio|minWidth)\s*:\s*[\d.]")


def shown(path: Path, line: int, text: str) -> str:
    return f"{path.relative_to(ROOT)}:{line}: {text.strip()}"


def python_tokens(path: Path) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))


def string_value(token: tokenize.TokenInfo) -> str | None:
    """A plain string literal's value (None for f-strings, bytes and the rest)."""
    try:
        value = ast.literal_eval(token.string)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def script_code(path: Path) -> list[str]:
    """A script's lines without its comments (strings kept: a template's HTML is code too)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    return _STRING_OR_COMMENT.sub(lambda m: m.group(1) or "\n" * m.group().count("\n"), text).splitlines()


# JavaScript's strings (kept) and comments (dropped), as webapp/modulepreload.py finds them.
_STRING_OR_COMMENT = re.compile(
    r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|/\*.*?\*/|//[^\n]*""", re.DOTALL
)


def _float(text: str) -> float | None:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def test_no_pen_number_outside_the_contract():
    numbers = re.compile(r"(?<![\w.$#])(\d+(?:\.\d+)?|\.\d+)(?![\w.])")
    found = []
    for path in PYTHON:
        for token in python_tokens(path):
            if token.type == tokenize.NUMBER and _float(token.string) in DISTINCT_NUMBERS:
                found.append(shown(path, token.start[0], token.line))
    for path in SCRIPTS:
        for number, line in enumerate(script_code(path), 1):
            if any(_float(m.group(1)) in DISTINCT_NUMBERS for m in numbers.finditer(line)) or JS_PEN_KEY.search(line):
                found.append(shown(path, number, line))
    assert found == [], (
        f"the pen's constants are train/contract.json's; read them there (numbers {DISTINCT_NUMBERS}):\n"
        + "\n".join(found)
    )


def test_no_python_name_of_the_contract_is_given_a_literal():
    found = []
    for path in PYTHON:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    pairs = (
                        zip(target.elts, node.value.elts, strict=False)
                        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                        else [(target, node.value)]
                    )
                    for name, value in pairs:
                        literal = not any(isinstance(n, ast.Name | ast.Attribute) for n in ast.walk(value))
                        if isinstance(name, ast.Name) and name.id in PYTHON_NAMES and literal:
                            found.append(shown(path, node.lineno, ast.unparse(node)))
    found = list(dict.fromkeys(found))
    assert found == [], "these names hold the contract's values: read them from train/contract.py:\n" + "\n".join(found)


def test_no_model_name_or_list_of_methods_outside_the_contract():
    """The input's and output's names are written nowhere else; each "not a digit" method's name is
    written where its arithmetic is, but the methods are never listed (two on one line) outside the contract."""
    quoted = re.compile(r"""(["'`])([\w-]+)\1""")
    found = []
    for path in PYTHON:
        lines: dict[int, list[str]] = {}
        for token in python_tokens(path):
            value = string_value(token) if token.type == tokenize.STRING else None
            if value in MODEL_NAMES:
                found.append(shown(path, token.start[0], token.line))
            if value in METHODS:
                lines.setdefault(token.start[0], []).append(token.line)
        found += [shown(path, number, texts[0]) for number, texts in lines.items() if len(texts) > 1]
    for path in SCRIPTS:
        for number, line in enumerate(script_code(path), 1):
            strings = [m.group(2) for m in quoted.finditer(line)]
            if MODEL_NAMES & set(strings) or len([s for s in strings if s in METHODS]) > 1:
                found.append(shown(path, number, line))
    found = list(dict.fromkeys(found))
    assert found == [], "the model's names and the methods are train/contract.json's: read them there:\n" + "\n".join(
        found
    )


def test_each_verdict_implementation_knows_exactly_the_contracts_methods_and_verdicts():
    """The arithmetic of each method is written in Python (train/rejection.py) and in JavaScript
    (verdict.js), under the contract's names; the model card describes each."""
    from train import rejection

    assert rejection.VERDICTS == contract.VERDICTS
    logits = np.random.default_rng(0).normal(size=(5, 11))
    for method in contract.METHODS:
        assert rejection.not_digit_score(logits, 1.5, method).shape == (5,)
    with pytest.raises(ValueError):
        rejection.not_digit_score(logits, 1.5, "vibes")
    tree = ast.parse((ROOT / "train" / "rejection.py").read_text(encoding="utf-8"))
    [verdict] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "verdict"]
    said = {n.value for n in ast.walk(verdict) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert said - {verdict.body[0].value.value} == set(contract.VERDICTS)  # (its docstring aside)

    script = "\n".join(script_code(ROOT / "site" / "js" / "element" / "verdict.js"))
    assert set(re.findall(r'method === "([\w-]+)"', script)) == set(contract.METHODS)
    assert set(re.findall(r'\bverdict = "([\w-]+)"', script)) == set(contract.VERDICTS)
    card = (ROOT / "site" / "js" / "card" / "rejection.js").read_text(encoding="utf-8")
    described = card[card.index("const METHODS = {") : card.index("\n};", card.index("const METHODS = {"))]
    assert set(re.findall(r'^  "?([\w-]+)"?:', described, re.MULTILINE)) == set(contract.METHODS)

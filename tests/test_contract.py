"""One source for the constants that training, export and the page share: train/contract.json.
Python reads it through train/contract.py, the page's JavaScript through the ES module build.py
writes from it (webapp/contract.py), which must hold exactly the JSON."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

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

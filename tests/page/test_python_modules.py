"""The page's Python after a full use (Digit and Number mode, Grad-CAM, the MLP side by side, the layers view,
the handwriting memory, an error answered): every module it has imported, Pyodide's and PyScript's boot
included, is in the build's trimmed standard library zip and numpy wheel (webapp/python_trim.py). Asked through
py/worker.py's "modules" request on the page's own port to Python."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import build
from evaluate.pagekit import Pad, error_text, open_page, wait_ready
from webapp import python_trim

pytestmark = pytest.mark.e2e

SEVEN = [[(60, 60), (140, 60), (220, 60)], [(220, 60), (180, 130), (150, 200), (140, 250)]]  # ink-bitmap pixels
# Number mode's bitmap is 840x280: a 1 and a 7 side by side.
ONE_SEVEN = [[(150, 40), (145, 140), (140, 240)], [(400, 50), (520, 50)], [(520, 50), (470, 150), (440, 240)]]

ASK_PYTHON = """async (request) => {
  const { sharedRuntime } = await import(new URL("js/element/runtime.js", document.baseURI).href);
  try {
    const answer = await sharedRuntime().pythonInService.drawings.call(request);
    return { ...JSON.parse(JSON.stringify(answer)), ok: true };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error) };
  }
}"""


@pytest.fixture
def used_page(browser, base_url):
    """A fresh page (its own storage: the test teaches it a digit), ready."""
    session = open_page(browser, base_url)
    got = wait_ready(session.page)
    assert got == "ready", f"page did not become ready: {got}: {error_text(session.page)}"
    yield session
    session.context.close()


def use_everything(page) -> None:
    """What a person can do with the main page, each of Python's paths walked once."""
    pad = Pad(page)
    pad.draw_bitmap(SEVEN)
    page.check("#gradcam-all")
    pad.find('#bars li[data-digit="1"] button').click()
    page.check("#compare-mlp")
    pad.wait_companion(len(SEVEN))
    page.check("#layers-show")
    pad.find('#layers[data-state="shown"]').wait_for(state="attached")
    page.check("#skip-centring")
    pad.find(f'#prediction[data-state="predicted"][data-strokes="{len(SEVEN)}"]').wait_for(state="attached")
    pad.find('#teach button[data-digit="7"]').click()  # the handwriting memory: remember, then recall
    pad.find('#prediction[data-remembered="1"]').wait_for(state="attached", timeout=20_000)
    for box in ("#skip-centring", "#layers-show", "#compare-mlp", "#gradcam-all"):
        page.uncheck(box)
    page.select_option("#mode", "number")
    assert pad.draw_bitmap(ONE_SEVEN)["number"], "Number mode read nothing"
    page.select_option("#mode", "digit")


def imported_modules(page) -> list[str]:
    refused = page.evaluate(ASK_PYTHON, {"type": "no such request"})
    assert refused["ok"] is False and "unknown request" in refused["error"]  # an error's path, walked too
    answer = page.evaluate(ASK_PYTHON, {"type": "modules"})
    assert answer["ok"], answer
    return answer["modules"]


def missing(modules: list[str], official: Path, trimmed: Path) -> list[str]:
    """The modules whose files the official archive has and the trimmed one lacks."""
    with zipfile.ZipFile(official) as full, zipfile.ZipFile(trimmed) as light:
        have, left = set(full.namelist()), set(light.namelist())
    return [name for name in modules if not set(python_trim.module_entries(name, have)) <= left]


def test_every_module_the_page_imports_is_in_the_trimmed_runtime(used_page, dist):
    use_everything(used_page.page)
    modules = imported_modules(used_page.page)
    assert "numpy" in modules and "preprocess" in modules and "segment" in modules
    runtime = dist / "vendor" / "pyodide"
    lock = json.loads((runtime / "pyodide-lock.json").read_text())
    official_wheel, _ = build.pyodide_wheel()
    stdlib = missing(modules, build.NODE_MODULES / "pyodide" / "python_stdlib.zip", runtime / "python_stdlib.zip")
    numpy = missing(modules, official_wheel, runtime / lock["packages"]["numpy"]["file_name"])
    print(f"{len(modules)} modules imported:", " ".join(modules))
    assert not stdlib, f"the trimmed python_stdlib.zip lacks {stdlib}: add them to webapp/python-modules.txt"
    assert not numpy, f"the trimmed numpy wheel lacks {numpy}: see webapp/python_trim.py numpy_kept"
    assert not used_page.page.evaluate("window.digitPad.restarts()"), "a worker died during the use"

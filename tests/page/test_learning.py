"""The handwriting memory in the page (issue 37): a held-out writer's digit that the reader gets wrong,
taught once, then that writer's other such digit reads right (as train/memory.py reads it in CPython), an
unrelated digit unchanged; what is kept survives a reload and offline use, Forget leaves nothing behind,
and blocked storage, a corrupt record, bad teaching and keyboard-only teaching behave.

The held-out digits were chosen offline (`python3 build.py drawings --learn` has every writer's figures):
the first is misread by the shipped reader, and once it is taught, the second (same writer, same digit,
also misread) is read right. Needs the data folder named below; skipped, with the reason, without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluate import learning
from evaluate.pagekit import Pad, open_page, wait_ready
from train import contract, drawings, memory, unipen
from train.preprocess import normalize
from train.strokes import thinned

pytestmark = pytest.mark.e2e

# UNIPEN held-out digits by their source line (train/unipen.py UnipenDigit.source), of one writer
# (uqb/re_3828) whose flagged 1s the reader takes for 7s: a 1 to teach, another 1, and a 4 (2026-12-06: both 1s
# read 7 in CPython, and once the first is taught, the second reads 1; the 4 gets no vote).
TAUGHT, LATER, UNRELATED = "uqb/data/re.dat 2295", "uqb/data/re.dat 1452", "uqb/data/re.dat 30-31"
# How Chromium answers a page whose site data is blocked.
REFUSE_STORAGE = """IDBFactory.prototype.open = function () {
  throw new DOMException("access to the Indexed Database API is denied in this context", "SecurityError");
};"""
RECORDS = """async () => {
  const db = await new Promise((ok, ko) => { const r = indexedDB.open("digit-pad"); r.onsuccess = () => ok(r.result);
                                             r.onerror = () => ko(r.error); });
  if (!db.objectStoreNames.contains("handwriting")) { db.close(); return -1; }
  const n = await new Promise((ok) => { const r = db.transaction("handwriting").objectStore("handwriting").count();
                                        r.onsuccess = () => ok(r.result); });
  db.close();
  return n;
}"""


@pytest.fixture(scope="module")
def digits() -> dict[str, unipen.UnipenDigit]:
    if unipen.resolve_path() is None:
        pytest.skip(f"UNIPEN digits not found: set ${unipen.ENV_VAR} to the folder holding {unipen.FILE_NAME}")
    wanted = {TAUGHT, LATER, UNRELATED}
    found = {d.source: d for d in unipen.by_split(unipen.load(), "held-out") if d.source in wanted}
    assert set(found) == wanted, "the chosen held-out digits are gone from the data"
    return found


def replayed(digit: unipen.UnipenDigit) -> list:
    """The digit's strokes as the page gets them (bitmap pixels, a point every 6 px: see test_page_unipen.py)."""
    return thinned(digit.on_pad())


def cpython_reads(dist: Path, strokes: list) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated probabilities [10], features [F]) of strokes, read in CPython as the page reads them."""
    probs, features = learning.read_inputs(dist / "models" / "cnn.onnx", normalize(drawings.drawn_images([strokes])))
    return probs[0], features[0]


@pytest.fixture
def learning_page(browser, base_url):
    """A fresh page (its own storage) of the main site, which sets `learn`."""
    session = open_page(browser, base_url)
    assert wait_ready(session.page) == "ready"
    yield session
    session.context.close()


def remembered(pad: Pad) -> int:
    return int(pad.find("#prediction").get_attribute("data-remembered"))


def wait_remembered(pad: Pad, count: int) -> None:
    pad.find(f'#prediction[data-remembered="{count}"]').wait_for(state="attached", timeout=20_000)


def teach(pad: Pad, digit: int, count: int) -> None:
    pad.find(f'#teach button[data-digit="{digit}"]').click()
    wait_remembered(pad, count)


def test_a_taught_digit_changes_that_writers_next_one_as_in_cpython(learning_page, digits, dist):
    page = learning_page.page
    pad = Pad(page)
    taught, later, unrelated = (replayed(digits[s]) for s in (TAUGHT, LATER, UNRELATED))
    label = digits[TAUGHT].label
    before = {}
    for name, strokes in (("later", later), ("unrelated", unrelated)):
        before[name] = pad.draw_bitmap(strokes)
        pad.clear()
    assert int(before["later"]["digit"]) != label, "the reader now reads it: choose another pair"
    first = pad.draw_bitmap(taught)
    assert int(first["digit"]) != label and first["adapted"] == "false"
    page.evaluate("() => { window.learned = []; document.addEventListener('digit-pad:learned', "
                  "(e) => window.learned.push(e.detail)); }")  # fmt: skip
    teach(pad, label, 1)
    assert page.evaluate("window.learned") == [{"digit": label, "count": 1}]
    pad.find('#prediction[data-adapted="true"]').wait_for(state="attached", timeout=20_000)  # read again
    now = pad.prediction()
    assert int(now["digit"]) == label and now["strokes"] == len(taught)
    pad.clear()

    after = pad.draw_bitmap(later)
    assert int(after["digit"]) == label and after["adapted"] == "true"
    assert "From your examples" in pad.find("#hint").text_content()
    kept = memory.Memory(memory.Settings.from_contract(contract.MEMORY))
    probs, features = cpython_reads(dist, taught)
    kept.add(features, label)
    expected = kept.recall(*(x[None] for x in cpython_reads(dist, later)))
    # The page's ink and CPython's renderer differ by a few grey levels (tests/page/test_page_unipen.py), so the
    # features and probabilities differ in the third decimal; the blend is the same.
    assert np.allclose(after["probs"], expected.probs[0], atol=0.01), "the page blends as train/memory.py does"
    assert int(np.argmax(expected.probs[0])) == label and expected.adapted[0]
    pad.clear()
    same = pad.draw_bitmap(unrelated)
    assert same["adapted"] == "false" and same["probs"] == before["unrelated"]["probs"]
    pad.clear()


def test_what_is_kept_survives_a_reload_and_offline_and_forget_leaves_nothing(learning_page, digits):
    page, context = learning_page.page, learning_page.context
    pad = Pad(page)
    pad.draw_bitmap(replayed(digits[TAUGHT]))
    teach(pad, digits[TAUGHT].label, 1)
    pad.clear()
    assert page.evaluate(RECORDS) == 1
    page.reload()
    assert wait_ready(page) == "ready"
    wait_remembered(pad, 1)
    context.set_offline(True)
    try:
        page.reload()
        assert wait_ready(page) == "ready"
        wait_remembered(pad, 1)
        assert "1 example" in pad.find("#remembered").text_content()
        pad.find("#forget").click()
        wait_remembered(pad, 0)
        assert page.evaluate(RECORDS) == 0
    finally:
        context.set_offline(False)
    page.reload()
    assert wait_ready(page) == "ready"
    assert remembered(pad) == 0 and page.evaluate(RECORDS) == 0


def test_blocked_storage_still_learns_for_the_visit_and_says_so(browser, base_url, digits):
    session = open_page(browser, base_url)
    page = session.page
    try:
        # As Chromium refuses a site whose data is blocked (the page's own thread: PyScript's worker keeps its own).
        page.add_init_script(REFUSE_STORAGE)
        page.reload()
        assert wait_ready(page) == "ready"
        pad = Pad(page)
        pad.find("#remembered").filter(has_text="cannot be kept").wait_for(timeout=20_000)
        pad.draw_bitmap(replayed(digits[TAUGHT]))
        teach(pad, digits[TAUGHT].label, 1)
        assert "for this visit only" in pad.find("#remembered").text_content()
        assert pad.find("#prediction").get_attribute("data-state") == "predicted"
    finally:
        session.context.close()


def test_a_corrupt_record_is_dropped_and_a_good_one_read_again(learning_page, digits):
    page = learning_page.page
    pad = Pad(page)
    pad.draw_bitmap(replayed(digits[TAUGHT]))
    teach(pad, digits[TAUGHT].label, 1)
    pad.clear()
    page.evaluate("""async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("digit-pad");
        r.onsuccess = () => ok(r.result);
      });
      const store = db.transaction("handwriting", "readwrite").objectStore("handwriting");
      store.put({ id: 1000, digit: 42, pixels: "not pixels", created: 0 });
      store.put({ id: 1001, digit: 3, pixels: new Float32Array(784).fill(NaN), created: 0 });
      const all = await new Promise((ok) => { const r = store.getAll(); r.onsuccess = () => ok(r.result); });
      const good = all.find((r) => r.id < 1000);
      store.put({ ...good, model: "a model of before", features: null });  // features read again by this model
      await new Promise((ok) => { store.transaction.oncomplete = ok; });
      db.close();
    }""")
    assert page.evaluate(RECORDS) == 3
    page.reload()
    assert wait_ready(page) == "ready"
    wait_remembered(pad, 1)
    assert page.evaluate(RECORDS) == 1
    later = pad.draw_bitmap(replayed(digits[LATER]))
    assert int(later["digit"]) == digits[LATER].label and later["adapted"] == "true"


def test_bad_teaching_stores_nothing_and_says_why(learning_page):
    page = learning_page.page
    pad = Pad(page)
    errors = page.evaluate("""async () => {
      const element = document.querySelector("digit-pad");
      const said = [];
      element.addEventListener("digit-pad:learn-error", (e) => said.push(e.detail.message));
      for (const digit of [3, 12, "x"]) await element.teach(digit).catch(() => {});
      return said;
    }""")
    assert len(errors) == 3 and "draw the digit first" in errors[0] and "not a digit" in errors[1]
    assert remembered(pad) == 0
    assert pad.find('#teach button[data-digit="3"]').is_disabled()


def test_teaching_by_keyboard_alone_is_announced(learning_page, digits):
    page = learning_page.page
    pad = Pad(page)
    pad.draw_bitmap(replayed(digits[TAUGHT]))
    label = digits[TAUGHT].label
    pad.find("#clear").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if pad.find(f'#teach button[data-digit="{label}"]').evaluate("b => b.matches(':focus')"):
            break
    else:
        pytest.fail("Tab never reached the teaching buttons")
    page.keyboard.press("Enter")
    wait_remembered(pad, 1)
    pad.find("#announcer").filter(has_text=f"Remembered as {label}").wait_for(timeout=10_000)
    assert f"remember this drawing as {label}" in pad.find(f'#teach button[data-digit="{label}"]').get_attribute(
        "aria-label"
    )


def test_in_number_mode_the_picked_digit_is_taught(browser, base_url, digits):
    session = open_page(browser, base_url + "?mode=number")
    try:
        page = session.page
        assert wait_ready(page) == "ready"
        pad = Pad(page)
        one, four = replayed(digits[TAUGHT]), replayed(digits[UNRELATED])
        shifted = [[(x + 280.0, y) for x, y in stroke] for stroke in four]  # the 4 in the pad's middle third
        pad.draw_bitmap(one + shifted)
        found = json.loads(pad.prediction()["digits"])
        assert [d["digit"] for d in found] == [7, 4]  # the flagged 1 taken for a 7 (shown as "?" when unsure)
        pad.find("#digits li:first-child button").click()  # the bars show the first digit: teach that one
        teach(pad, digits[TAUGHT].label, 1)
        pad.find("""#prediction[data-digits*='"adapted":true']""").wait_for(state="attached", timeout=20_000)
        read = json.loads(pad.find("#prediction").get_attribute("data-digits"))  # (a digit under the unsure
        # threshold still shows as "?" in the number: the memory moved the 1 to the top, not past the threshold)
        assert [d["digit"] for d in read] == [1, 4] and [d["adapted"] for d in read] == [True, False]
    finally:
        session.context.close()

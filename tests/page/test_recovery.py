"""Faults the page recovers from (issue 39): a worker that dies, the Python worker or a model's inference
worker, is found dead, said so in the element in plain words, started again by itself, and the drawing,
kept, is read again (with the handwriting memory still voting); a worker that dies three times in a minute
is given up on and the element says what to do; an element moved keeps its workers, one removed gives its
share of them back (the last one out ends them all) and, put back, loads again.

A worker ended by terminate() fires no event: the page finds it dead when a reading gets no answer and a
ping gets none either (js/element/worker-health.js), so a test ends one, then asks for a reading. The
page's hooks (site/js/main.js): `window.digitPad.workers()` the workers in service, {python, models: {name:
Worker}}; `window.digitPad.restarts()` what became of them, [{status: lost | back | gave-up, model (null for
Python), message}]. Every test opens a page of its own: they end its workers. No timing is asserted; the
time from the fault to the answer is printed."""

from __future__ import annotations

import time

import pytest

from evaluate.pagekit import BOOT_TIMEOUT_MS, Pad, error_text, open_page, wait_ready

pytestmark = pytest.mark.e2e

# Found dead (3 s of silence, 2 s without an answer to a ping), then a new worker: Python boots again.
RECOVERY_TIMEOUT_MS = BOOT_TIMEOUT_MS + 15_000
RELEASE_TIMEOUT_S = 20.0
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
ONE = [[(0.50, 0.20), (0.50, 0.40), (0.50, 0.60), (0.50, 0.80)]]
# What the element shows in its hint (each text it takes) and tells the page (each prediction), from now on.
WATCH = """() => {
  const element = window.digitPad.element;
  const hint = element.shadowRoot.getElementById("hint");
  window.recovery = { hints: [], predictions: [] };
  new MutationObserver(() => window.recovery.hints.push(hint.textContent))
    .observe(hint, { childList: true, characterData: true, subtree: true });
  element.addEventListener("digit-pad:prediction", ({ detail }) => window.recovery.predictions.push(
    { digit: detail.digit, strokes: detail.strokes.length, adapted: detail.adapted }));
}"""
# Ends a worker as a crash would, silently ("python", or a model's name); window.killed keeps it.
KILL = """(which) => {
  const workers = window.digitPad.workers();
  window.killed = which === "python" ? workers.python : workers.models[which];
  window.killed.terminate();
}"""
RELEASED = """() => { const now = window.digitPad.workers();
                      return now.python === null && Object.keys(now.models).length === 0; }"""


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


@pytest.fixture
def fresh(browser, base_url):
    """A page of its own, ready (the main page: one element, the CNN, `learn` set)."""
    session = open_page(browser, base_url)
    try:
        assert wait_ready(session.page) == "ready", error_text(session.page)
        yield session
    finally:
        session.context.close()


def restarts(page) -> list[tuple[str, str | None]]:
    return [(e["status"], e["model"]) for e in page.evaluate("window.digitPad.restarts()")]


def wait_restarts(page, status: str, count: int) -> None:
    page.wait_for_function(
        "([status, count]) => window.digitPad.restarts().filter((e) => e.status === status).length >= count",
        arg=[status, count],
        timeout=RECOVERY_TIMEOUT_MS,
    )


def wait_workers(page, count: int) -> None:
    """Until the page runs `count` workers (as the browser counts them: an ended one is gone)."""
    deadline = time.monotonic() + RELEASE_TIMEOUT_S
    while len(page.workers) != count and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(page.workers) == count, [worker.url for worker in page.workers]


def said_and_gone(page, pad: Pad, message: str) -> None:
    """The element showed `message` while the worker restarted, and shows it no more."""
    assert "Restarting" in message and "your drawing is kept" in message
    assert message in page.evaluate("window.recovery.hints")
    assert "Restarting" not in pad.find("#hint").text_content()
    assert pad.prediction()["state"] == "predicted" and pad.find("#error").is_hidden()


def test_a_dead_inference_worker_is_restarted_and_the_kept_drawing_read_again(fresh):
    page = fresh.page
    pad = Pad(page)
    first, second = scaled(SEVEN, pad.box())
    pad.stroke(first)
    pad.wait_prediction(1)
    kept = page.evaluate("window.digitPad.pad.strokes")
    page.evaluate(WATCH)
    page.evaluate(KILL, "cnn")
    start = time.monotonic()
    pad.stroke(second)  # read by a dead worker: no answer, no answer to the ping, a new worker, read again
    pad.find('#prediction[data-state="predicted"][data-strokes="2"]').wait_for(
        state="attached", timeout=RECOVERY_TIMEOUT_MS
    )
    print(f"the CNN's worker ended: read again {time.monotonic() - start:.1f} s after the stroke")
    assert pad.prediction()["digit"] == "7"
    assert restarts(page) == [("lost", "cnn"), ("back", "cnn")]
    said_and_gone(page, pad, page.evaluate("window.digitPad.restarts()[0].message"))
    assert page.evaluate("window.digitPad.pad.strokes")[:1] == kept  # the drawing was kept, the stroke added
    assert page.evaluate("window.digitPad.workers().models.cnn !== window.killed")
    assert fresh.console_errors == []


def test_a_dead_python_worker_is_restarted_with_the_handwriting_memory(fresh):
    page = fresh.page
    pad = Pad(page)
    pad.draw(scaled(SEVEN, pad.box()))
    pad.find('#teach button[data-digit="7"]').click()  # remembered: the drawing read again, with its vote
    pad.find('#prediction[data-remembered="1"][data-adapted="true"]').wait_for(state="attached", timeout=20_000)
    kept = page.evaluate("window.digitPad.pad.strokes")
    page.evaluate(WATCH)
    page.evaluate(KILL, "python")
    start = time.monotonic()
    page.evaluate("window.digitPad.live.request()")  # the drawing read again: Python never answers
    page.wait_for_function("window.recovery.predictions.length >= 1", timeout=RECOVERY_TIMEOUT_MS)
    print(f"Python's worker ended: read again {time.monotonic() - start:.1f} s after it was asked")
    assert restarts(page) == [("lost", None), ("back", None)]
    said_and_gone(page, pad, page.evaluate("window.digitPad.restarts()[0].message"))
    assert page.evaluate("window.recovery.predictions[0]") == {"digit": 7, "strokes": 2, "adapted": True}
    assert pad.prediction()["adapted"] == "true"  # the new Python was handed the memory: it still votes
    assert pad.prediction()["remembered"] == "1"
    assert page.evaluate("window.digitPad.pad.strokes") == kept
    assert page.evaluate("window.digitPad.workers().python !== window.killed")
    pad.clear()
    assert pad.draw(scaled(ONE, pad.box()))["state"] == "predicted"  # and it goes on
    assert fresh.console_errors == []


def test_a_worker_that_dies_three_times_in_a_minute_is_given_up_and_the_element_says_what_to_do(fresh):
    page = fresh.page
    pad = Pad(page)
    pad.draw(scaled(ONE, pad.box()))
    page.evaluate("() => { window.errors = []; window.digitPad.element.addEventListener("
                  "'digit-pad:error', (e) => window.errors.push(e.detail.message)); }")  # fmt: skip
    # Two deaths the worker tells of (an error it did not catch, a message that cannot be read): found at once.
    page.evaluate("window.digitPad.workers().models.cnn.dispatchEvent(new ErrorEvent('error', {message: 'Aborted()'}))")
    wait_restarts(page, "back", 1)
    page.evaluate("window.digitPad.workers().models.cnn.dispatchEvent(new MessageEvent('messageerror'))")
    wait_restarts(page, "back", 2)
    page.evaluate(KILL, "cnn")  # the third, silent: found when a reading gets no answer
    page.evaluate("window.digitPad.live.request()")
    pad.find('#prediction[data-state="error"]').wait_for(state="attached", timeout=RECOVERY_TIMEOUT_MS)
    assert restarts(page) == [("lost", "cnn"), ("back", "cnn")] * 2 + [("gave-up", "cnn")]
    message = pad.find("#error").inner_text()
    assert "3 times in a minute" in message and "Reload the page" in message, message
    assert page.evaluate("window.errors") == [message]
    assert pad.find("#error").is_visible()
    assert page.evaluate("Object.keys(window.digitPad.workers().models)") == []  # not started again
    assert len(page.evaluate("window.digitPad.pad.strokes")) == 1  # the drawing is still there
    assert fresh.console_errors == []


def test_elements_moved_keep_their_workers_and_removed_give_them_back_and_put_back_load_again(fresh):
    page = fresh.page
    main = Pad(page, "#digit-pad")
    # A second element, reading with the MLP: removed, its model's worker ends, the others go on.
    page.evaluate("""() => { const second = document.createElement('digit-pad');
                             second.id = 'second'; second.model = 'mlp'; document.body.append(second); }""")
    Pad(page, "#second").find('#prediction:not([data-state="loading"])').wait_for(
        state="attached", timeout=BOOT_TIMEOUT_MS
    )
    assert page.evaluate("Object.keys(window.digitPad.workers().models).sort()") == ["cnn", "mlp"]
    wait_workers(page, 3)  # Python's and the two models'
    page.evaluate("document.getElementById('second').remove()")
    page.wait_for_function("Object.keys(window.digitPad.workers().models).join() === 'cnn'", timeout=20_000)
    wait_workers(page, 2)
    assert page.evaluate("window.digitPad.workers().python !== null")

    # Moved (out and back in within one task): nothing restarts.
    page.evaluate("""() => { const element = window.digitPad.element, spot = element.nextSibling;
                             window.before = window.digitPad.workers();
                             document.body.append(element); spot.parentNode.insertBefore(element, spot); }""")
    page.wait_for_timeout(500)
    assert page.evaluate("""() => { const now = window.digitPad.workers();
                                    return now.python === window.before.python
                                      && now.models.cnn === window.before.models.cnn; }""")
    assert main.draw(scaled(ONE, main.box()))["digit"] == "1"
    main.clear()

    # Removed, the last: every worker ends. Put back: it loads again, and reads.
    page.evaluate("""() => { const element = window.digitPad.element;
                             window.spot = [element.parentNode, element.nextSibling]; element.remove(); }""")
    page.wait_for_function(RELEASED, timeout=20_000)
    wait_workers(page, 0)
    page.evaluate("() => { const [parent, next] = window.spot; parent.insertBefore(window.digitPad.element, next); }")
    assert wait_ready(page) == "ready", error_text(page)
    assert main.draw(scaled(ONE, main.box()))["digit"] == "1"
    assert page.evaluate("window.digitPad.workers().python !== window.before.python")
    wait_workers(page, 2)
    assert fresh.console_errors == []

/* What the element shows besides the pad: the prediction (and its data-* contract for
 * tests, see tests/page/conftest.py), the probability bars, the model's 28x28 input, the
 * loading stages, hints and errors. Works inside the element's shadow root. */

import { describeInput } from "./announcer.js";
import { drawModelInput, INPUT_SIZE } from "./model-input.js";
import { isRead, numberText } from "./number.js";
import { verdictText } from "./verdict.js";

const ADAPTED_HINT = "From your examples: drawings you corrected changed this answer.";
const STAGE_HINTS = { python: "Starting Python", numpy: "Loading numpy", model: "Loading the model" };

export class AnswerView {
  /** `onPick(digit)` is told when the person picks a probability bar, `onSelect(index)`
   * when they pick one digit of a number. */
  constructor(root, onPick, onSelect = () => {}) {
    this.prediction = root.getElementById("prediction");
    this.digit = root.getElementById("digit");
    this.confidence = root.getElementById("confidence");
    this.verdict = root.getElementById("verdict");
    this.hint = root.getElementById("hint");
    this.error = root.getElementById("error");
    this.inputFigure = root.getElementById("input");
    this.input28 = root.getElementById("input28");
    this.inputContext = this.input28.getContext("2d");
    this.stages = root.getElementById("stages");
    this.barList = root.getElementById("bars");
    this.bars = this.#makeBars(this.barList, onPick);
    this.digitList = root.getElementById("digits");
    this.onSelect = onSelect;
    this.failed = false;
    this.restartHint = null; // while a worker restarts: what the hint says of it (see stage)
    this.hintBeforeRestart = ""; // …and what it said before
  }

  /** Each bar is a button: picking it shows that digit's heatmap, once pickable (setPickable). */
  #makeBars(list, onPick) {
    const bars = [];
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement("li");
      item.dataset.digit = String(digit);
      item.innerHTML =
        `<button type="button" class="bar" aria-pressed="false" title="Show what points to ${digit}" disabled>` +
        `<span class="label">${digit}</span><span class="track"><span class="fill"></span></span>` +
        `<span class="value"></span></button>`;
      const button = item.querySelector("button");
      button.addEventListener("click", () => onPick(digit));
      list.append(item);
      bars.push({ item, button, fill: item.querySelector(".fill"), value: item.querySelector(".value") });
    }
    return bars;
  }

  /** Digit mode ("digit") or Number mode ("number"): what #prediction reports and shows. */
  setMode(mode) {
    this.prediction.dataset.mode = mode;
    this.digitList.hidden = mode !== "number";
    this.digitList.replaceChildren();
  }

  /** Which parts are shown: {bars, input} (booleans). */
  setParts({ bars, input }) {
    this.barList.hidden = !bars;
    this.inputFigure.hidden = !input;
  }

  /** Whether picking a bar shows its heatmap (a model with maps, and heatmaps shown). */
  setPickable(pickable) {
    for (const { button } of this.bars) button.disabled = !pickable;
  }

  /** The picked digit's bar is marked (null: none). */
  showPicked(picked) {
    this.bars.forEach(({ item, button }, digit) => {
      item.classList.toggle("picked", digit === picked);
      button.setAttribute("aria-pressed", String(digit === picked));
    });
  }

  /** A model is loading: no answer until it is ready; an earlier error is forgotten. */
  showLoading() {
    this.failed = false;
    this.error.hidden = true;
    this.error.textContent = "";
    Object.assign(this.prediction.dataset, { state: "loading", digit: "", verdict: "", notDigit: "", number: "", digits: "[]" });
    this.digit.textContent = "?";
    this.confidence.textContent = "";
    this.verdict.textContent = "";
  }

  /** Loading progress: stage is "python" | "numpy" | "model", status "active" | "done"; or "restart":
   * "active" while a worker restarts (`detail` says so in the hint), "done" once it is back. */
  stage(stage, status, detail = "") {
    if (stage === "restart") return this.#restart(status === "active" ? detail : null);
    const item = this.stages.querySelector(`[data-stage="${stage}"]`);
    item.dataset.status = status;
    item.title = detail;
    if (status === "active" && !this.failed) this.hint.textContent = `${STAGE_HINTS[stage]}… You can draw already.`;
  }

  /** A worker is restarting (`message`, shown in the hint), or is back (null: the hint it stood in for is
   * back, unless something else was shown meanwhile). */
  #restart(message) {
    if (this.failed) return;
    if (message !== null) {
      if (this.restartHint === null) this.hintBeforeRestart = this.hint.textContent;
      this.hint.textContent = this.restartHint = message;
      return;
    }
    if (this.restartHint !== null && this.hint.textContent === this.restartHint) this.hint.textContent = this.hintBeforeRestart;
    this.restartHint = null;
  }

  /** Model loaded and nothing to predict (empty pad). */
  showReady() {
    if (this.failed) return;
    Object.assign(this.prediction.dataset, {
      state: "ready", digit: "", probs: "[]", strokes: "0", verdict: "", notDigit: "", number: "", digits: "[]", adapted: "false",
    });
    this.digitList.replaceChildren();
    this.digit.textContent = "–";
    this.confidence.textContent = "";
    this.verdict.textContent = "";
    this.barList.dataset.verdict = "";
    this.hint.textContent =
      this.prediction.dataset.mode === "number" ? "Write a number, digit after digit, left to right." : "Draw a digit from 0 to 9.";
    for (const bar of this.bars) this.#setBar(bar, 0, false);
    this.input28.dataset.pixels = "[]";
    this.input28.setAttribute("aria-label", describeInput([]));
    this.inputContext.clearRect(0, 0, INPUT_SIZE, INPUT_SIZE);
  }

  /** A prediction ({digit, probs[10], notDigit, verdict, candidates, pixels[784]}, see runtime.js)
   * computed from `strokes` finished strokes. */
  showPrediction(answer, strokes) {
    if (this.failed) return;
    const { digit, probs, notDigit, verdict } = answer;
    Object.assign(this.prediction.dataset, {
      state: "predicted",
      digit: String(digit),
      probs: JSON.stringify(probs),
      strokes: String(strokes),
      verdict: verdict ?? "",
      notDigit: notDigit === null ? "" : String(notDigit),
      adapted: String(Boolean(answer.adapted)),
    });
    this.digit.textContent = String(digit);
    this.confidence.textContent = `${(probs[digit] * 100).toFixed(1)}%`;
    this.verdict.textContent = verdictText(answer);
    this.#showDigit(answer);
  }

  /** A number's prediction (the digits of runtime.js predictNumber, left to right) from
   * `strokes` finished strokes; the bars and the input show digit `selected`'s. */
  showNumber(digits, strokes, selected) {
    if (this.failed) return;
    const text = numberText(digits);
    const shown = digits[selected];
    Object.assign(this.prediction.dataset, {
      state: "predicted",
      digit: digits.length === 1 ? String(digits[0].digit) : "",
      probs: JSON.stringify(shown.probs),
      strokes: String(strokes),
      verdict: shown.verdict ?? "",
      notDigit: shown.notDigit === null ? "" : String(shown.notDigit),
      adapted: String(Boolean(shown.adapted)),
      number: text,
      digits: JSON.stringify(
        digits.map(({ digit, probs, verdict, box, adapted }) => ({ digit, probs, verdict, box, adapted: Boolean(adapted) })),
      ),
    });
    this.digit.textContent = text;
    const unread = digits.filter((d) => !isRead(d)).length;
    const count = digits.length === 1 ? "1 digit" : `${digits.length} digits`;
    this.confidence.textContent = unread ? `${count}, ${unread} “?”` : count; // short: one line, the pad never moves
    this.verdict.textContent = "";
    this.#showChips(digits, selected);
    this.#showDigit(shown);
  }

  /** The bars and the 28x28 input of one digit's answer. */
  #showDigit(answer) {
    const { digit, probs, verdict, pixels } = answer;
    this.barList.dataset.verdict = verdict ?? "";
    this.hint.textContent = answer.adapted ? ADAPTED_HINT : "";
    probs.forEach((p, i) => this.#setBar(this.bars[i], p, i === digit));
    drawModelInput(this.inputContext, pixels);
    this.input28.dataset.pixels = JSON.stringify(pixels);
    this.input28.setAttribute("aria-label", describeInput(pixels));
  }

  /** One button per digit of the number: what it reads and how sure; picking one selects it.
   * The buttons are kept from frame to frame (a focused one stays focused). */
  #showChips(digits, selected) {
    const items = this.digitList.children;
    while (items.length > digits.length) items[items.length - 1].remove();
    while (items.length < digits.length) this.digitList.append(this.#makeChip(items.length));
    digits.forEach((answer, index) => {
      const read = isRead(answer);
      const shown = read ? String(answer.digit) : "?";
      const percent = (answer.probs[answer.digit] * 100).toFixed(0);
      const item = items[index];
      const button = item.firstElementChild;
      item.dataset.read = String(read);
      button.setAttribute("aria-pressed", String(index === selected));
      button.setAttribute("aria-label", `Digit ${index + 1}: ${read ? shown : `unreadable, closest ${answer.digit}`}, ${percent} percent`);
      button.querySelector(".read").textContent = shown;
      button.querySelector(".sure").textContent = `${percent}%`;
    });
  }

  #makeChip(index) {
    const item = document.createElement("li");
    item.innerHTML = `<button type="button" aria-pressed="false"><span class="read"></span><span class="sure"></span></button>`;
    item.firstElementChild.addEventListener("click", () => this.onSelect(index));
    return item;
  }

  #setBar(bar, p, top) {
    bar.fill.style.width = `${(p * 100).toFixed(2)}%`;
    bar.value.textContent = p >= 0.0005 ? `${(p * 100).toFixed(1)}%` : "";
    bar.button.setAttribute("aria-label", `${bar.item.dataset.digit}: ${(p * 100).toFixed(1)} percent`);
    bar.item.classList.toggle("top", top);
  }

  /** An error in plain words; the element stays in the error state until a model loads again. */
  showError(message) {
    this.failed = true;
    this.prediction.dataset.state = "error";
    Object.assign(this.prediction.dataset, { digit: "", verdict: "", notDigit: "" });
    this.verdict.textContent = "";
    this.error.textContent = message;
    this.error.hidden = false;
    this.hint.textContent = "";
  }
}

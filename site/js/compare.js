/* The main page's second network, side by side: the MLP's live answer on the same
 * drawing as the page's <digit-pad> (its compareWith), with its probabilities, and the
 * option that shows what the centring step is worth (its centring attribute).
 *
 * The MLP answers only while #compare-mlp is ticked: a second network per frame costs
 * the pad time on a small device (measured by `python build.py bench`), and most visitors
 * came to draw. #prediction-mlp carries the same data-* contract as #prediction (see
 * tests/page/conftest.py): data-state loading | ready | predicted | error | off (no second
 * model, or not switched on), data-digit, data-probs, data-strokes, data-verdict and
 * data-not-digit (its own calibration and verdict, empty when its model has none).
 */

import { verdictText } from "./element/verdict.js";

const EMPTY = { digit: "", probs: "[]", verdict: "", notDigit: "" };

export class CompareView {
  constructor(doc = document) {
    this.section = doc.getElementById("compare");
    this.prediction = doc.getElementById("prediction-mlp");
    this.digit = this.prediction.querySelector(".digit");
    this.confidence = this.prediction.querySelector(".confidence");
    this.verdict = this.prediction.querySelector(".verdict");
    this.hint = doc.getElementById("hint-mlp");
    this.bars = this.#makeBars(doc.getElementById("bars-mlp"));
    this.centring = doc.getElementById("skip-centring");
    this.figures = doc.getElementById("centring-figures");
    this.toggle = doc.getElementById("compare-mlp");
    this.body = doc.getElementById("compare-body");
    this.name = null; // the model shown here
    this.answering = false; // loaded and switched on: its answers are shown
  }

  #makeBars(list) {
    const bars = [];
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement("li");
      item.dataset.digit = String(digit);
      item.innerHTML = `<span class="column"><span class="fill"></span></span><span class="label">${digit}</span>` +
        `<span class="visually-hidden"></span>`;
      list.append(item);
      bars.push({ item, fill: item.querySelector(".fill"), spoken: item.querySelector(".visually-hidden") });
    }
    return bars;
  }

  /** `onChange(centre)` is told now (a reload may restore the box ticked) and whenever
   * the person turns centring off or on again. */
  onCentringChange(onChange) {
    this.centring.addEventListener("change", () => onChange(!this.centring.checked));
    onChange(!this.centring.checked);
  }

  /** No second model on this page (e.g. ?model=mlp shows the MLP alone). */
  off() {
    this.section.hidden = true;
    this.prediction.dataset.state = "off";
  }

  /** `name` can be shown side by side; `onToggle(on)` is told whenever the person switches
   * it on or off, and now if the box is ticked already (a reload may restore it). */
  offer(name, onToggle) {
    this.name = name;
    this.section.hidden = false;
    this.toggle.addEventListener("change", () => onToggle(this.toggle.checked));
    if (this.toggle.checked) onToggle(true);
  }

  loading() {
    this.body.hidden = false;
    Object.assign(this.prediction.dataset, { ...EMPTY, state: "loading", strokes: "0" });
    this.hint.classList.remove("bad");
    this.hint.textContent = `Loading the ${this.name.toUpperCase()}…`;
  }

  /** Switched off: nothing shown, nothing computed. */
  switchedOff() {
    this.answering = false;
    this.body.hidden = true;
    Object.assign(this.prediction.dataset, { ...EMPTY, state: "off", strokes: "0" });
  }

  failed(message) {
    this.answering = false;
    Object.assign(this.prediction.dataset, { ...EMPTY, state: "error" });
    this.digit.textContent = "–";
    this.confidence.textContent = "";
    this.hint.textContent = message;
    this.hint.classList.add("bad");
  }

  showReady() {
    if (!this.answering) return;
    Object.assign(this.prediction.dataset, { ...EMPTY, state: "ready", strokes: "0" });
    this.digit.textContent = "–";
    this.confidence.textContent = "";
    this.verdict.textContent = "";
    this.hint.textContent = "";
    for (const bar of this.bars) this.#setBar(bar, 0, false);
  }

  /** Loaded and switched on: shows "ready" until its first prediction. */
  ready() {
    this.answering = true;
    this.hint.textContent = "";
    this.showReady();
  }

  /** The element's prediction (a digit-pad:prediction detail): the companion's answer in
   * `others`, for the drawing of `strokes`; nothing drawn when `digit` is null. */
  show({ digit: shown, others, strokes }) {
    if (shown === null) {
      this.showReady();
      return;
    }
    const result = others[this.name];
    if (!this.answering || !result) return;
    const { digit, probs, verdict, notDigit } = result;
    Object.assign(this.prediction.dataset, {
      state: "predicted",
      digit: String(digit),
      probs: JSON.stringify(probs),
      strokes: String(strokes.length),
      verdict: verdict ?? "",
      notDigit: notDigit === null ? "" : String(notDigit),
    });
    this.digit.textContent = String(digit);
    this.confidence.textContent = `${(probs[digit] * 100).toFixed(1)}%`;
    this.verdict.textContent = verdict ? verdictText(result) : "It has no 'not a digit' verdict.";
    probs.forEach((p, i) => this.#setBar(this.bars[i], p, i === digit));
  }

  /**
   * What skipping the centring costs each model on people's drawings, from the model
   * cards (models/<name>.json, drawings.held_out_writers, written by export). Shows
   * nothing when a card lacks the figures.
   */
  async showCentringCost(names, baseUrl) {
    const splits = await Promise.all(
      names.map(async (name) => {
        const response = await fetch(new URL(`models/${name}.json`, baseUrl));
        return response.ok ? (await response.json()).drawings?.held_out_writers : undefined;
      }),
    );
    if (splits.some((split) => split?.accuracy_without_centring === undefined)) return;
    const percent = (x) => `${(x * 100).toFixed(1)}%`;
    const costs = names.map((name, i) => {
      const { accuracy, accuracy_without_centring: without } = splits[i];
      const points = ((accuracy - without) * 100).toFixed(1);
      return `the ${name.toUpperCase()} ${points} points (${percent(accuracy)} → ${percent(without)})`;
    });
    this.figures.textContent =
      `On ${splits[0].count.toLocaleString("en")} drawings by writers that no training decision saw, ` +
      `skipping it costs ${costs.join(" and ")}.`;
    this.figures.hidden = false;
  }

  #setBar(bar, p, top) {
    bar.fill.style.height = `${(p * 100).toFixed(2)}%`;
    bar.item.title = `${bar.item.dataset.digit}: ${(p * 100).toFixed(1)}%`;
    bar.spoken.textContent = `: ${(p * 100).toFixed(1)} percent`; // what a screen reader reads
    bar.item.classList.toggle("top", top);
  }
}

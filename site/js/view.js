/* Everything the page shows: the prediction (and its data-* contract for tests), the
 * probability bars, the model's 28x28 input, the Grad-CAM heatmaps (gradcam.js), the
 * second model side by side (compare.js), loading stages and errors. */

import { CompareView } from "./compare.js";
import { GradCamView } from "./gradcam.js";

const SIZE = 28; // side of the model input shown in #input28

export class View {
  constructor(doc = document) {
    this.prediction = doc.getElementById("prediction");
    this.digit = doc.getElementById("digit");
    this.confidence = doc.getElementById("confidence");
    this.hint = doc.getElementById("hint");
    this.error = doc.getElementById("error");
    this.input28 = doc.getElementById("input28");
    this.inputContext = this.input28.getContext("2d");
    this.inputImage = this.inputContext.createImageData(SIZE, SIZE);
    this.stages = doc.getElementById("stages");
    this.bars = this.#makeBars(doc.getElementById("bars"));
    this.gradcam = new GradCamView(doc, (picked) => this.#showPicked(picked));
    this.compare = new CompareView(doc);
    this.failed = false;
  }

  /** Each bar is a button: picking it shows that digit's heatmap (see gradcam.js), once the
   * model is known to have heatmaps (setExplainable). */
  #makeBars(list) {
    const bars = [];
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement("li");
      item.dataset.digit = String(digit);
      item.innerHTML =
        `<button type="button" class="bar" aria-pressed="false" title="Show what points to ${digit}" disabled>` +
        `<span class="label">${digit}</span><span class="track"><span class="fill"></span></span>` +
        `<span class="value"></span></button>`;
      const button = item.querySelector("button");
      button.addEventListener("click", () => this.gradcam.pick(digit));
      list.append(item);
      bars.push({ item, button, fill: item.querySelector(".fill"), value: item.querySelector(".value") });
    }
    return bars;
  }

  #showPicked(picked) {
    this.bars.forEach(({ item, button }, digit) => {
      item.classList.toggle("picked", digit === picked);
      button.setAttribute("aria-pressed", String(digit === picked));
    });
  }

  /** Whether the model explains itself (has Grad-CAM maps): the bars are pickable only then. */
  setExplainable(explainable) {
    this.gradcam.setAvailable(explainable);
    for (const { button } of this.bars) button.disabled = !explainable;
  }

  /** Loading progress: stage is "python" | "numpy" | "model", status "active" | "done". */
  stage(stage, status, detail = "") {
    const item = this.stages.querySelector(`[data-stage="${stage}"]`);
    item.dataset.status = status;
    item.title = detail;
    if (status === "active" && !this.failed) {
      const what = { python: "Starting Python", numpy: "Loading numpy", model: "Loading the model" }[stage];
      this.hint.textContent = `${what}… You can draw already.`;
    }
  }

  /** Model loaded and nothing to predict (empty pad). */
  showReady() {
    if (this.failed) return;
    Object.assign(this.prediction.dataset, { state: "ready", digit: "", probs: "[]", strokes: "0" });
    this.digit.textContent = "–";
    this.confidence.textContent = "";
    this.hint.textContent = "Draw a digit from 0 to 9.";
    for (const bar of this.bars) this.#setBar(bar, 0, false);
    this.input28.dataset.pixels = "[]";
    this.inputContext.clearRect(0, 0, SIZE, SIZE);
    this.gradcam.clear();
    this.compare.showReady();
  }

  /**
   * A prediction computed from `strokes` finished strokes: {digit, probs[10], pixels[784],
   * cam, frame, others: {mlp}} (see runtime.js). Returns the ms spent on the heatmaps.
   */
  showPrediction(result, strokes) {
    if (this.failed) return 0;
    if (result.digit === null) {
      this.showReady();
      return 0;
    }
    const { digit, probs, pixels } = result;
    Object.assign(this.prediction.dataset, {
      state: "predicted",
      digit: String(digit),
      probs: JSON.stringify(probs),
      strokes: String(strokes),
    });
    this.digit.textContent = String(digit);
    this.confidence.textContent = `${(probs[digit] * 100).toFixed(1)}%`;
    this.hint.textContent = "";
    probs.forEach((p, i) => this.#setBar(this.bars[i], p, i === digit));
    this.#showInput(pixels);
    this.compare.show(result.others, strokes);
    return this.gradcam.show(result);
  }

  #setBar(bar, p, top) {
    bar.fill.style.width = `${(p * 100).toFixed(2)}%`;
    bar.value.textContent = p >= 0.0005 ? `${(p * 100).toFixed(1)}%` : "";
    bar.item.classList.toggle("top", top);
  }

  #showInput(pixels) {
    const data = this.inputImage.data;
    for (let i = 0; i < SIZE * SIZE; i++) {
      const v = Math.round(pixels[i] * 255);
      data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
      data[4 * i + 3] = 255;
    }
    this.inputContext.putImageData(this.inputImage, 0, 0);
    this.input28.dataset.pixels = JSON.stringify(pixels);
  }

  /** An error in plain words; the page stays in the error state. */
  showError(message) {
    this.failed = true;
    this.prediction.dataset.state = "error";
    this.prediction.dataset.digit = "";
    this.error.textContent = message;
    this.error.hidden = false;
    this.hint.textContent = "";
    this.gradcam.clear();
  }
}

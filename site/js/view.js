/* Everything the page shows: the prediction (and its data-* contract for tests), the
 * probability bars, the model's 28x28 input, loading stages and errors. */

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
    this.failed = false;
  }

  #makeBars(list) {
    const bars = [];
    for (let digit = 0; digit < 10; digit++) {
      const item = document.createElement("li");
      item.dataset.digit = String(digit);
      item.innerHTML = `<span class="label">${digit}</span><span class="track"><span class="fill"></span></span><span class="value"></span>`;
      list.append(item);
      bars.push({ item, fill: item.querySelector(".fill"), value: item.querySelector(".value") });
    }
    return bars;
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
  }

  /** A prediction: {digit, probs[10], pixels[784]} computed from `strokes` finished strokes. */
  showPrediction(result, strokes) {
    if (this.failed) return;
    if (result.digit === null) {
      this.showReady();
      return;
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
  }
}

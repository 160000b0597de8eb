/* Inside the network: the element's `layers` view (its #layers section, ::part(layers); template.js).
 * For the answer shown (Number mode: the digit the bars show) it paints the 28x28 input, every
 * stage's feature maps as small grey tiles (layer-tiles.js), the 128 hidden units as a strip and the
 * ten outputs (the calibrated probabilities); picking a tile shows it large with its kernels
 * (layer-focus.js).
 *
 * The answer's layers (runtime.js, with the `layers` option): {stages: [{name, channels, height,
 * width, data (a Float32Array, C,H,W, after ReLU)}], hidden (a Float32Array of 128)}; absent for a
 * model without them (the MLP). The element calls show() with each answer while the view is on,
 * and nothing while it is off. Cheap by design: the tiles are made once per model and stage shape,
 * then each answer only paints into them (reused ImageData, no markup, no layout read).
 *
 * #layers's data-state: "empty" (nothing drawn), "reading" (drawn, the layers on their way: the view
 * was just turned on), "shown", or "none" (the model has no layers); data-order: "brightest" or
 * "channel"; data-model: the model's name. */

import { LayerFocus } from "./layer-focus.js";
import { greyImage, paintGrey, peakOf } from "./layer-paint.js";
import { hiddenSummary, outputsSummary } from "./layer-text.js";
import { StageGroup } from "./layer-tiles.js";

const STATUS = {
  empty: "Nothing drawn yet: draw a digit to watch every layer at work.",
  reading: "Reading the layers…",
};

export class LayersView {
  constructor(root) {
    const get = (id) => root.getElementById(id);
    this.section = get("layers");
    this.status = get("layers-status");
    this.orderBox = get("layers-order");
    this.stagesBox = get("layers-stages");
    this.hidden = this.#strip(get("layers-hidden"));
    this.outputs = this.#strip(get("layers-outputs"));
    this.focus = new LayerFocus(root);
    this.groups = []; // one StageGroup per stage, network order
    this.model = undefined; // the model's name (null: none loaded)
    this.modelHasLayers = false;
    this.answer = null; // the answer painted (for a repaint: a pick, the order), or null
    this.orderBox.addEventListener("change", () => {
      this.section.dataset.order = this.orderBox.checked ? "brightest" : "channel";
      if (this.answer) this.#paint(this.answer);
    });
  }

  #strip(canvas) {
    const context = canvas.getContext("2d");
    return { canvas, context, image: greyImage(context, canvas.width, canvas.height) };
  }

  /** Shown or hidden (the `layers` attribute), for `model` ({name, layers} from runtime.js, or null
   * while none is loaded); a new model starts the view afresh. */
  setVisible(on, model) {
    this.section.hidden = !on;
    const name = model?.name ?? null;
    this.modelHasLayers = Boolean(model?.layers);
    if (name === this.model) return;
    this.model = name;
    this.section.dataset.model = name ?? "";
    this.groups = [];
    this.stagesBox.replaceChildren();
    this.focus.setModel(name);
    this.show(null);
  }

  /** Paints the layers of `answer` (an answer of runtime.js predict, or one digit of predictNumber;
   * null: nothing drawn); returns the stages shown, [{name, channels, height, width, data}] ([] when none). */
  show(answer) {
    this.answer = answer?.layers ? answer : null;
    if (!answer) {
      this.#clear("empty");
      return [];
    }
    if (!answer.layers) {
      this.#clear(this.modelHasLayers ? "reading" : "none");
      return [];
    }
    this.#paint(answer);
    this.#state("shown", `What each layer computed for this drawing; the network's answer: ${answer.digit}.`);
    return answer.layers.stages.map(({ name, channels, height, width, data }) => ({ name, channels, height, width, data }));
  }

  #paint({ layers: { stages, hidden }, pixels, probs }) {
    this.#fit(stages);
    const brightestFirst = this.orderBox.checked;
    stages.forEach((stage, index) => this.groups[index].draw(stage, brightestFirst));
    const peak = hidden ? peakOf(hidden) : 0; // a model without its hidden layer as an output: a black strip
    this.#paintStrip(this.hidden, hidden ?? [], peak > 0 ? 255 / peak : 0);
    label(this.hidden.canvas, hiddenSummary(hidden, hidden ? strongest(hidden, 3) : []));
    this.#paintStrip(this.outputs, probs, 255);
    label(this.outputs.canvas, outputsSummary(probs));
    this.focus.draw(pixels, stages, this.groups);
  }

  /** Tiles for `stages`: kept while the stages keep their shapes, made again otherwise. */
  #fit(stages) {
    if (stages.length === this.groups.length && stages.every((stage, i) => this.groups[i].fits(i, stage))) return;
    this.groups = stages.map((stage, index) => new StageGroup(index, stage, (name, channel) => this.#pick(name, channel)));
    this.stagesBox.replaceChildren(...this.groups.map((group) => group.section));
    const pick = this.focus.pick;
    this.focus.unpick();
    if (pick && this.groups[pick.stage]?.name === pick.name) this.#pick(pick.name, pick.channel);
  }

  #pick(name, channel) {
    const picked = this.focus.toggle(name, channel, this.groups.map((group) => group.name));
    for (const group of this.groups) group.setPicked(picked?.name === group.name ? picked.channel : null);
    if (this.answer) this.focus.draw(this.answer.pixels, this.answer.layers.stages, this.groups);
  }

  /** `values` as grey into a strip (one pixel per value; a missing value is black). */
  #paintStrip(strip, values, scale) {
    paintGrey(strip.image, values, 0, strip.canvas.width, scale);
    strip.context.putImageData(strip.image, 0, 0);
  }

  /** Nothing to paint (`state`: "empty", "reading" or "none"): the tiles, strips and close-up blank. */
  #clear(state) {
    for (const group of this.groups) group.clear();
    for (const strip of [this.hidden, this.outputs]) strip.context.clearRect(0, 0, strip.canvas.width, strip.canvas.height);
    label(this.hidden.canvas, hiddenSummary(null, []));
    label(this.outputs.canvas, outputsSummary(null));
    this.focus.clear();
    const none = `The ${this.model ? this.model.toUpperCase() : "model"} has no layers to show: it is not a ` +
      "convolutional network, so it makes no feature maps. Switch to the CNN to see them.";
    this.#state(state, state === "none" ? none : STATUS[state]);
  }

  #state(state, text) {
    if (this.section.dataset.state !== state) this.section.dataset.state = state;
    if (this.status.textContent !== text) this.status.textContent = text;
  }
}

/** The indices of the `count` largest values above zero, largest first. */
function strongest(values, count) {
  const found = [];
  values.forEach((v, i) => {
    if (v > 0) found.push(i);
  });
  return found.sort((a, b) => values[b] - values[a] || a - b).slice(0, count);
}

/** Sets `node`'s accessible name, only when it changes. */
function label(node, text) {
  if (node.getAttribute("aria-label") !== text) node.setAttribute("aria-label", text);
}

/* The layers view's close-up (layers-view.js): the model's input and, once a tile is picked, its map
 * large beside it, with what made it: a convolution's 3x3 kernels (the picked channel's, one per map
 * of the stage before, fetched once per model from the runtime: runtime.js kernels), or for a
 * max-pool the map it pooled; and one sentence on what the layer does (layer-text.js).
 *
 * Each prediction repaints the input and the picked maps into reused ImageData buffers; the kernels
 * are drawn only when the pick changes (they do not change with the drawing). */

import { drawKernels, greyImage, paintGrey } from "./layer-paint.js";
import { ABOUT, kernelText, POOL_KERNELS, stageTitle } from "./layer-text.js";
import { sharedRuntime } from "./runtime.js";

const INPUT = 28;
const KERNELS_PX = 160; // the kernels' grid is shown about this big, at a whole multiple of its pixels
const NO_PICK = `${ABOUT.input} Pick a tile to see it large, with its kernels and what its layer does.`;

const isPool = (name) => name.startsWith("pool");

export class LayerFocus {
  constructor(root) {
    const get = (id) => root.getElementById(id);
    this.box = get("layers-focus");
    this.input = get("layers-input");
    this.inputContext = this.input.getContext("2d");
    this.inputImage = greyImage(this.inputContext, INPUT, INPUT);
    this.picked = this.#figure(get, "layers-picked");
    this.before = this.#figure(get, "layers-before");
    this.kernelFigure = get("layers-kernels-figure");
    this.kernelCanvas = get("layers-kernels");
    this.kernelCaption = get("layers-kernels-caption");
    this.about = get("layers-about");
    this.model = null; // the model's name: its kernels are fetched once
    this.kernels = new Map(); // model name -> Promise of runtime.js kernels (or null)
    this.pick = null; // {name, channel, stage (its index)} or null
    this.about.textContent = NO_PICK;
  }

  #figure(get, id) {
    const canvas = get(id);
    return { figure: get(`${id}-figure`), canvas, context: canvas.getContext("2d"), caption: get(`${id}-caption`), image: null };
  }

  /** A model was loaded: its kernels are its own, and nothing is picked. */
  setModel(name) {
    this.model = name;
    this.unpick();
  }

  /** Picks `channel` of stage `name` (network order: `names`), or forgets the pick when it is the one
   * picked already; returns the pick ({name, channel}) or null. */
  toggle(name, channel, names) {
    if (this.pick?.name === name && this.pick.channel === channel) {
      this.unpick();
      return null;
    }
    this.pick = { name, channel, stage: names.indexOf(name) };
    Object.assign(this.box.dataset, { pickLayer: name, pickChannel: String(channel) });
    this.about.textContent = ABOUT[name] ?? `${name}: a stage of the network.`;
    this.picked.caption.textContent = `${stageTitle(name)}, map ${channel}`;
    this.picked.canvas.setAttribute("aria-label", `${name}, map ${channel}, enlarged`);
    this.picked.figure.hidden = false;
    const source = isPool(name) ? names[this.pick.stage - 1] : null; // the convolution it pooled
    this.before.figure.hidden = !source;
    if (source) {
      this.before.caption.textContent = `Before pooling: ${source}, map ${channel}`;
      this.before.canvas.setAttribute("aria-label", `${source}, map ${channel}, the map this pool halves`);
    }
    this.#showKernels(name, channel, names[this.pick.stage - 1] ?? "the input");
    return { name, channel };
  }

  unpick() {
    this.pick = null;
    Object.assign(this.box.dataset, { pickLayer: "", pickChannel: "" });
    this.picked.figure.hidden = this.before.figure.hidden = this.kernelFigure.hidden = true;
    this.about.textContent = NO_PICK;
  }

  /** Paints the input (784 values in [0, 1]) and the picked maps, from `stages` (the answer's
   * layers.stages) at the scales of `groups` (layer-tiles.js: one per stage, same order). */
  draw(pixels, stages, groups) {
    paintGrey(this.inputImage, pixels, 0, INPUT * INPUT, 255);
    this.inputContext.putImageData(this.inputImage, 0, 0);
    if (!this.pick) return;
    const { stage, channel } = this.pick;
    if (stages[stage]) this.#paintMap(this.picked, stages[stage], channel, groups[stage].scale);
    if (!this.before.figure.hidden && stages[stage - 1]) {
      this.#paintMap(this.before, stages[stage - 1], channel, groups[stage - 1].scale);
    }
  }

  /** Nothing drawn: blank canvases (the pick is kept for the next drawing). */
  clear() {
    this.inputContext.clearRect(0, 0, INPUT, INPUT);
    for (const { canvas, context } of [this.picked, this.before]) context.clearRect(0, 0, canvas.width, canvas.height);
  }

  /** One channel of `stage` into a close-up canvas, grey at the stage's `scale`. */
  #paintMap(shown, { height, width, data }, channel, scale) {
    if (shown.canvas.width !== width || shown.canvas.height !== height || !shown.image) {
      shown.canvas.width = width;
      shown.canvas.height = height;
      shown.image = greyImage(shown.context, width, height);
    }
    const size = height * width;
    paintGrey(shown.image, data, channel * size, size, scale);
    shown.context.putImageData(shown.image, 0, 0);
  }

  /** The kernels that made `channel` of convolution `name` from the maps of `previous`; a pool has none. */
  async #showKernels(name, channel, previous) {
    this.kernelFigure.hidden = false;
    this.kernelCanvas.hidden = true;
    if (isPool(name)) {
      this.kernelCaption.textContent = POOL_KERNELS;
      return;
    }
    this.kernelCaption.textContent = "Loading the kernels…";
    const pick = this.pick;
    const kernels = (await this.#kernelsOf(this.model))?.[name];
    if (this.pick !== pick) return; // picked again meanwhile
    if (!kernels) {
      this.kernelCaption.textContent = "This model's kernels are not available.";
      return;
    }
    const [, inputs] = kernels.dims;
    const largest = drawKernels(this.kernelCanvas, kernels.data, channel * inputs * 9, inputs);
    const { width, height } = this.kernelCanvas;
    const zoom = Math.max(1, Math.floor(KERNELS_PX / Math.max(width, height)));
    this.kernelCanvas.style.width = `${width * zoom}px`;
    this.kernelCanvas.style.height = `${height * zoom}px`;
    this.kernelCanvas.hidden = false;
    const which = inputs === 1 ? `its 3×3 kernel, over ${previous}` : `its ${inputs} kernels, 3×3, one per map of ${previous}`;
    this.kernelCaption.textContent = `${name}, map ${channel}: ${which}. Orange adds, purple subtracts, grey is about ` +
      `zero (scaled by the largest weight, ${largest.toPrecision(2)}).`;
    this.kernelCanvas.setAttribute("aria-label", kernelText(kernels.data, channel * inputs * 9, inputs, name, channel));
  }

  /** runtime.js kernels(model), asked once per model; null when it has none or they cannot be read. */
  #kernelsOf(model) {
    if (!this.kernels.has(model)) {
      const runtime = sharedRuntime();
      const asked = typeof runtime.kernels === "function" ? Promise.resolve(runtime.kernels(model)) : Promise.resolve(null);
      this.kernels.set(model, asked.catch(() => {
        this.kernels.delete(model); // asked again next time
        return null;
      }));
    }
    return this.kernels.get(model);
  }
}

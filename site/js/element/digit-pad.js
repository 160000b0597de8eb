/* <digit-pad>: the digit pad as an element any page of the site's origin can hold.
 *
 *   <script type="module" src="PATH/js/element/digit-pad.js"></script>
 *   <digit-pad></digit-pad>
 *
 * It finds everything it loads (PyScript, Pyodide, numpy, onnxruntime-web, the models) relative to this file
 * (runtime.js), so the site works under any path. Its shadow root holds its own markup (template.js) and styles
 * (styles.js). The elements of a page share one Python worker and one inference worker per model; one that dies is
 * restarted, and the last element removed from the page ends them (runtime.js). It needs no cross-origin isolation
 * (and uses none: inference runs on one thread either way).
 *
 * Its API (attributes, events, methods, properties, parts, slots) is the JSDoc of the
 * class below, the one place it is written: build.py makes embed.html's tables from it
 * (webapp/element_api.py), and tests/test_element_api.py checks that it names every
 * attribute observed, event sent and method there is.
 */

import { Announcer } from "./announcer.js";
import { AnswerDisplay } from "./answer-display.js";
import { AnswerView } from "./answer-view.js";
import { DigitPadAttributes } from "./attributes.js";
import { addControls } from "./controls.js";
import { HeatmapOverlay } from "./heatmap-overlay.js";
import { LayersView } from "./layers-view.js";
import { Learning } from "./learning.js";
import { ModelLoader } from "./model-loader.js";
import { DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { EMPTY_DETAIL } from "./prediction-detail.js";
import { Reading } from "./reading.js";
import { STYLES } from "./styles.js";
import { TEMPLATE } from "./template.js";

/**
 * The digit pad: draw a digit (or a whole number), and a network in the browser reads it as
 * it is drawn. The attributes' properties are attributes.js's.
 *
 * @summary A handwritten-digit recognizer as one element.
 *
 * @attr {"cnn" | "mlp"} [model=cnn] - The network that reads the drawing. Changing it loads the
 *   other one and reads the drawing again.
 * @attr {"digit" | "number"} [mode=digit] - What is read: one digit, or a whole number written
 *   digit after digit on a wide pad (each digit found, boxed and read; one the model cannot read
 *   shows as "?"). Switching clears the pad.
 * @attr {boolean} [bars=true] - The probability of each digit. `bars="false"` hides them.
 * @attr {boolean} [input=false] - The 28×28 image the network is given. `<digit-pad input>` shows it.
 * @attr {boolean} [gradcam=false] - The Grad-CAM heatmap over the pad: where the network found
 *   what made it answer. Picking a bar shows what points to that digit. (The MLP has no heatmap.)
 * @attr {"mass" | "box"} [centring=mass] - How the digit is placed in the 28×28 input: by its
 *   centre of mass, as MNIST was, or by its box.
 * @attr {boolean} [learn=false] - It learns the person's handwriting: "Not right? It's a …" under the
 *   answer remembers the drawing as that digit, on this device only (the browser's storage for the
 *   site), and later answers blend the network with the remembered drawings. The page's elements
 *   share one memory. `<digit-pad learn>` turns it on.
 * @attr {boolean} [layers=false] - Inside the network: every layer's feature maps for the drawing, live (in
 *   number mode the digit the bars show's); pick a map to see it large with its kernels. (The MLP has none.)
 *
 * @event {{model: string, gradcam: boolean}} digit-pad:ready - its model is loaded (again after
 *   `model` changed). Detail: the model's name; whether it has heatmaps.
 * @event {{digit: number | null, probs: number[], verdict: string | null, notDigit: number | null,
 *   number: string | null, digits: object[] | null, strokes: number[][][], model: string,
 *   others: object}} digit-pad:prediction - a new answer while drawing, and after undo or clear.
 *   Detail: `digit` 0–9, or `null` once the pad is empty; `probs` the ten calibrated
 *   probabilities; `verdict` `"digit"`, `"unsure"` or `"not-digit"` (`null` for a model without
 *   calibration) and `notDigit` the score in [0, 1] that the drawing is not a digit; `strokes` the
 *   finished strokes it read, each a list of `[x, y]` points on the pad's bitmap (280×280;
 *   840×280 in number mode); in number mode `number` is the digits read left to right ("?" for
 *   one it cannot read) and `digits` `[{digit, probs, verdict, notDigit, box}]` (`box`:
 *   `[x, y, w, h]` on the bitmap), `digit` the digit when there is exactly one, and `probs`,
 *   `verdict` those of the digit the bars show; both are `null` in digit mode; `model` the name
 *   of the model that answered; `others` is `{}` unless `compareWith` named a second model (then
 *   `others[name]` is its answer); `adapted` is `true` when the handwriting memory (`learn`) changed
 *   the answer or its probabilities (in number mode, for the digit the bars show; each of
 *   `digits` has its own).
 * @event digit-pad:heatmap - the heatmap changed (a prediction, a pick, a clear). Detail: as the
 *   `heatmap` property, or `null`.
 * @event {{digit: number | null, count: number}} digit-pad:learned - the handwriting memory changed:
 *   `teach(digit)` remembered a drawing, or `forget()` cleared it. Detail: the digit taught (`null`
 *   after `forget()`); `count` the drawings kept.
 * @event {{layers: object[]}} digit-pad:layers - with `layers` on, the layers view was drawn again (a
 *   prediction, a clear, `layers` turned on). Detail: `layers` `[{name, channels, height, width, data}]`,
 *   the stages shown in network order (`data`: the activations, a Float32Array, channel by channel; `[]`
 *   when nothing is drawn or the model has none).
 * @event {{message: string}} digit-pad:learn-error - `teach()` could not remember (no drawing, not a
 *   digit 0–9, `learn` off); nothing is stored and the element carries on. Detail: why, in plain words.
 * @event {{message: string}} digit-pad:error - it cannot go on (no WebAssembly, a missing model,
 *   a worker that died three times in a minute, …). Detail: what went wrong and what to do, in plain
 *   words; the element shows it too. (A worker that dies is restarted: meanwhile the hint says so.)
 *
 * @method clear() - Clears the pad (Escape, when the pad has the focus).
 * @method undo() - Removes the last stroke (Ctrl+Z or Cmd+Z).
 * @method pick(digit) - Shows that digit's heatmap, as picking its bar does; picking it again
 *   goes back to the answer's.
 * @method select(index) - Number mode: the bars, the input and the heatmap show that digit (0:
 *   the leftmost), as picking it does; the next stroke goes back to the newest digit.
 * @method compareWith(name) - A second model also reads every drawing (its answer in
 *   `others[name]`); `null` stops it. Returns a promise: it resolves once that model answers, or
 *   rejects with its failure in plain words (the element itself carries on).
 * @method teach(digit) - With `learn`: the drawing on the pad (in number mode the digit the bars
 *   show) is `digit` (0–9); it is remembered and the pad is read again. Returns a promise of the
 *   count kept; it rejects (and `digit-pad:learn-error` says why) when there is nothing to teach.
 * @method forget() - Forgets every remembered drawing, on this device too.
 * @method showError(message) - Shows your own error in the element (and sends `digit-pad:error`).
 * @property {string} state - `loading` | `ready` (nothing drawn) | `predicted` | `error`.
 * @property {object | null} prediction - The last `digit-pad:prediction` detail, or `null`.
 * @property {object | null} heatmap - `{class, source, h, w, maps, probs, input}`: the class
 *   shown, `top` or `picked`, the ten normalized maps (h×w each), or `null`.
 * @property {object[]} timings - What each of the last predictions cost, in milliseconds (read,
 *   preprocess, inference, companions, roundTrip, dom, gradcam, total; the last 500).
 *
 * @csspart pad - The drawing pad (a canvas).
 * @csspart buttons - The Undo and Clear buttons.
 * @csspart digit - The digit read, or "?".
 * @csspart confidence - How sure the network is.
 * @csspart verdict - The verdict in words ("It's a 7.", "1 or 7?", "That doesn't look like a digit.").
 * @csspart digits - Number mode: the digits found, left to right, each a button that selects it.
 * @csspart bars - The probability of each digit.
 * @csspart teach - With `learn`: "Not right? It's a …", the ten digits, and what is remembered.
 * @csspart input - The 28×28 input (the `input` attribute shows it).
 * @csspart layers - With `layers`: inside the network, each stage's feature maps as tiles (canvases with
 *   `data-layer` and `data-channel`), the hidden units, the outputs, and the picked map with its kernels.
 * @csspart stages - The loading progress: Python, numpy, the model.
 * @csspart progress - While it loads: a bar and the megabytes downloaded and left (Python, numpy, the model).
 * @csspart error - The error message.
 * @cssproperty --digit-pad-accent - The accent: the top bar, focus rings, the digits' boxes.
 * @cssproperty --digit-pad-ink - The text and the visible pen.
 * @cssproperty --digit-pad-paper - The background of the pad and of its buttons.
 * @slot under-pad - The host's own content, under the pad and its buttons.
 * @slot under-bars - The host's own content, under the bars.
 */
export class DigitPadElement extends DigitPadAttributes {
  #pad;
  #view;
  #overlay;
  #announcer;
  #display; // the answer shown, and Number mode's digit selected
  #learning;
  #layers; // the layers view (layers-view.js)
  #predictor;
  #reading; // what reads the drawing, and how
  #loader;
  #model = null; // the loaded model {name, cam, ...}, or null while loading or failed
  #prediction = null; // the last digit-pad:prediction detail
  #state = "loading";

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [STYLES];
    root.append(TEMPLATE.content.cloneNode(true));
    this.#pad = new DrawingPad(root.getElementById("pad"));
    this.#view = new AnswerView(root, (digit) => this.pick(digit), (index) => this.select(index));
    this.#overlay = new HeatmapOverlay(root, () => this.#heatmapChanged());
    this.#announcer = new Announcer(root.getElementById("announcer"));
    this.#layers = new LayersView(root);
    this.#learning = new Learning(root, {
      current: () => (this.#state === "predicted" ? this.#display.drawing() : null), // what teach() remembers
      changed: () => this.#attachPredictor(),
      learned: (detail) => this.#emit("learned", detail),
      learnError: (detail) => this.#emit("learn-error", detail),
      say: (text) => this.#announcer.say(text),
    });
    // Made before the predictor: it counts a stroke's end or an erase before the erased pad is shown empty.
    this.#display = new AnswerDisplay({ pad: this.#pad, view: this.#view, overlay: this.#overlay, announcer: this.#announcer });
    this.#predictor = new LivePredictor(this.#pad, {
      show: (result, strokes) => this.#show(result, strokes),
      showEmpty: () => this.#showEmpty(),
      fail: (message) => this.showError(message),
    });
    this.#reading = new Reading(this.#predictor, () => ({ centring: this.centring, learn: this.learn, layers: this.layers }));
    this.#loader = new ModelLoader(this, {
      stage: (stage, status, detail) => {
        this.#view.stage(stage, status, detail);
        this.#announcer.stage(stage, status, detail);
      },
      loaded: (model) => this.#attach(model),
      failed: (message) => this.showError(message),
      companion: () => this.#reading.companion,
    });
    addControls(this, root, this.#pad); // Undo, Clear, Escape and Ctrl+Z
    this.#applyParts();
    this.#applyMode();
    performance.mark("digit-pad:pad"); // from here on the pad takes strokes (the benchmark reads this)
  }

  connectedCallback() {
    if (!this.#loader.runtime) this.#load();
  }

  disconnectedCallback() {
    this.#loader.leave(() => this.#load()); // once it has really left (not moved): loads again when put back
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === "model") {
      if (this.#loader.runtime) this.#load();
    } else if (name === "centring") {
      this.#predictor.request();
    } else if (name === "mode") {
      this.#applyMode();
    } else if (name === "learn") {
      this.#learning.setEnabled(this.learn, this.#loader.runtime, this.#model);
    } else if (name === "layers") {
      this.#applyParts();
      this.#showLayers();
      if (this.layers) this.#attachPredictor(); // read again, with the layers
    } else {
      this.#applyParts();
    }
  }

  // --- what it tells -----------------------------------------------------------------

  /** "loading" | "ready" (nothing drawn) | "predicted" | "error". */
  get state() {
    return this.#state;
  }

  /** The last digit-pad:prediction detail, or null. */
  get prediction() {
    return this.#prediction;
  }

  /** The heatmaps of the shown prediction (see heatmap-overlay.js state), or null. */
  get heatmap() {
    return this.#overlay.state();
  }

  /** Per-prediction timings in ms (the last 500): read, preprocess, inference, companions,
   * roundTrip, dom, gradcam, total. */
  get timings() {
    return this.#predictor.timings.slice();
  }

  /** The pad (pad.js DrawingPad) and the predictor, for the site's own page and its tests.
   * @internal not the element's API */
  get drawingPad() {
    return this.#pad;
  }
  /** @internal */
  get predictor() {
    return this.#predictor;
  }

  // --- methods ------------------------------------------------------------------------

  clear() {
    this.#pad.clear();
  }

  undo() {
    this.#pad.undo();
  }

  /** Number mode: shows digit `index` of the number (left to right) in the bars, the input and the heatmap. */
  select(index) {
    if (this.#display.select(index)) this.#showAnswer(this.#display.number, this.#display.number.strokes);
  }

  /** Shows `digit`'s heatmap, as picking its bar does; picking it again shows the top class's. */
  pick(digit) {
    this.#overlay.pick(digit);
  }

  /**
   * From now on model `name` also reads every drawing (its answer: the prediction's
   * `others[name]`); null stops that. Loads it the first time; resolves once it answers,
   * or rejects with its failure in plain words (the element itself carries on).
   */
  compareWith(name) {
    return this.#reading.compareWith(name);
  }

  /** With `learn`: the drawing shown is `digit`; resolves to the count of drawings kept. */
  teach(digit) {
    return this.#learning.teach(digit);
  }

  /** Forgets every remembered drawing. */
  forget() {
    return this.#learning.forget();
  }

  /** Puts the element in its error state with `message` (in plain words), and says so in an event. */
  showError(message) {
    this.#state = "error";
    this.#view.showError(message);
    this.#overlay.clear();
    this.#emit("error", { message });
  }

  // --- loading ------------------------------------------------------------------------

  /** Loads the model the `model` attribute names (model-loader.js); #attach takes it once loaded. */
  #load() {
    this.#predictor.detach();
    this.#model = null;
    this.#state = "loading";
    this.#view.showLoading();
    this.#loader.load(this.model);
  }

  #attach(model) {
    this.#model = model;
    this.#overlay.setAvailable(Boolean(model.cam));
    this.#learning.setEnabled(this.learn, this.#loader.runtime, model);
    this.#applyParts();
    this.#announcer.ready();
    if (this.#pad.isEmpty) this.#showEmpty({ announce: false });
    this.#attachPredictor();
    if (!performance.getEntriesByName("digit-pad:ready").length) performance.mark("digit-pad:ready");
    this.#emit("ready", { model: model.name, gradcam: Boolean(model.cam) });
  }

  /** Predicting, the way the mode asks: the ink bitmap in Digit mode, the pad's strokes in Number mode. */
  #attachPredictor() {
    if (this.#model) this.#reading.attach(this.#loader.runtime, this.#model, this.mode);
  }

  /** The pad's shape and what the answer shows follow the mode; switching clears the pad. */
  #applyMode() {
    if (!this.#display.setMode(this.mode)) return;
    if (this.#model && this.#state !== "error") {
      this.#showEmpty({ announce: false });
      this.#attachPredictor();
    }
  }

  // --- showing ------------------------------------------------------------------------

  #applyParts() {
    this.#view.setParts({ bars: this.bars, input: this.input });
    this.#overlay.setVisible(this.gradcam);
    this.#layers.setVisible(this.layers, this.#model);
    this.#view.setPickable(Boolean(this.#model?.cam) && this.gradcam);
  }

  /** An answer from the predictor (predictor.js show); returns the ms spent on the heatmap. */
  #show(result, strokes) {
    if (this.#state === "error") return 0;
    return this.#showAnswer(result.digits ? { ...result, strokes } : result, strokes);
  }

  /** Digit mode's answer (see runtime.js predict), or Number mode's ({digits, others, strokes}, see
   * runtime.js predictNumber), from `strokes` finished strokes; returns the ms spent on the heatmap. */
  #showAnswer(answer, strokes) {
    if (answer.digits ? answer.digits.length === 0 : answer.digit === null) {
      this.#showEmpty();
      return 0;
    }
    this.#state = "predicted";
    this.#learning.setTeachable(true);
    const { detail, gradcam } = answer.digits ? this.#display.showNumber(answer) : this.#display.showDigit(answer, strokes);
    this.#announce(detail, strokes);
    this.#showLayers();
    return gradcam;
  }

  #showEmpty({ announce = true } = {}) {
    if (this.#state === "error") return;
    this.#state = "ready";
    this.#learning.setTeachable(false);
    this.#display.showEmpty({ announce });
    if (announce) this.#announce(EMPTY_DETAIL, 0);
    this.#showLayers();
  }

  /** With `layers`: the view shows the answer shown (Number mode: the digit the bars show), then says so. */
  #showLayers() {
    if (this.layers) this.#emit("layers", { layers: this.#layers.show(this.#display.shown()) });
  }

  /** Tells the page (digit-pad:prediction) the answer `detail` (prediction-detail.js) read from the
   * first `strokes` strokes; `number` and `digits` are Number mode's (null in Digit mode). */
  #announce(detail, strokes) {
    const inNumberMode = this.mode === "number";
    this.#prediction = {
      ...detail,
      number: inNumberMode ? (detail.number ?? "") : null,
      digits: inNumberMode ? (detail.digits ?? []) : null,
      strokes: this.#pad.strokes.slice(0, strokes).map((points) => points.map(([x, y]) => [x, y])),
      model: this.#model.name,
    };
    this.#emit("prediction", this.#prediction);
  }

  #heatmapChanged() {
    this.#view.showPicked(this.#overlay.picked);
    this.#emit("heatmap", this.#overlay.state());
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(`digit-pad:${type}`, { detail, bubbles: true, composed: true }));
  }
}

if (!customElements.get("digit-pad")) customElements.define("digit-pad", DigitPadElement);

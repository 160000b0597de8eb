/* <digit-pad>: the digit pad as an element any page of the site's origin can hold.
 *
 *   <script type="module" src="PATH/js/element/digit-pad.js"></script>
 *   <digit-pad></digit-pad>
 *
 * It finds everything it loads (PyScript, Pyodide, numpy, onnxruntime-web, the models)
 * relative to this file (runtime.js), so the site works under any path. Its shadow root
 * holds its own markup (template.js) and styles (styles.js). The elements of a page share
 * one Python worker and one inference worker per model. It needs no cross-origin
 * isolation (and uses none: inference runs on one thread either way).
 *
 * Its API (attributes, events, methods, properties, parts, slots) is the JSDoc of the
 * class below, the one place it is written: build.py makes embed.html's tables from it
 * (webapp/element_api.py), and tests/test_element_api.py checks that it names every
 * attribute observed, event sent and method there is.
 */

import { Announcer } from "./announcer.js";
import { missingFeature } from "./browser-support.js";
import { AnswerView } from "./answer-view.js";
import { DigitPadAttributes } from "./attributes.js";
import { HeatmapOverlay } from "./heatmap-overlay.js";
import { INK_BITMAP, NUMBER_BITMAP } from "./ink.js";
import { Learning } from "./learning.js";
import { digitHolding, spokenNumber } from "./number.js";
import { DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { digitDetail, EMPTY_DETAIL, numberDetail } from "./prediction-detail.js";
import { markStage, PageError, sharedRuntime } from "./runtime.js";
import { STYLES } from "./styles.js";
import { PAD_LABELS, TEMPLATE } from "./template.js";

const MODEL_NAME = /^[a-z0-9_-]+$/;

const messageOf = (error) => (error instanceof PageError ? error.message : `Loading failed: ${error?.message ?? error}`);

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
 * @event {{message: string}} digit-pad:learn-error - `teach()` could not remember (no drawing, not a
 *   digit 0–9, `learn` off); nothing is stored and the element carries on. Detail: why, in plain words.
 * @event {{message: string}} digit-pad:error - it cannot go on (no WebAssembly, a missing model,
 *   …). Detail: what went wrong, in plain words; the element shows it too.
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
 * @csspart stages - The loading progress: Python, numpy, the model.
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
  #predictor;
  #runtime = null; // the page's shared runtime, once connected
  #loads = 0; // bumped by each model load: a newer one supersedes it
  #model = null; // the loaded model {name, cam, ...}, or null while loading or failed
  #companion = null; // the name of the model predicting alongside (compareWith), or null
  #companionCalls = 0;
  #prediction = null; // the last digit-pad:prediction detail
  #state = "loading";
  #announcer;
  #settled = 0; // bumped when a stroke ends or ink is removed: the next full answer is announced
  #said = 0; // the #settled whose answer the announcer said
  #number = null; // Number mode: the last answer {digits, others, strokes}, or null
  #selected = null; // Number mode: the digit the person picked (an index), or null: the newest digit's
  #answer = null; // Digit mode: the answer shown ({pixels, features, ...}), or null
  #learning;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [STYLES];
    root.append(TEMPLATE.content.cloneNode(true));
    this.#pad = new DrawingPad(root.getElementById("pad"));
    this.#view = new AnswerView(root, (digit) => this.pick(digit), (index) => this.select(index));
    this.#overlay = new HeatmapOverlay(root, () => this.#heatmapChanged());
    this.#announcer = new Announcer(root.getElementById("announcer"));
    this.#learning = new Learning(root, {
      current: () => this.#teachable(),
      changed: () => this.#attachPredictor(),
      learned: (detail) => this.#emit("learned", detail),
      learnError: (detail) => this.#emit("learn-error", detail),
      say: (text) => this.#announcer.say(text),
    });
    for (const settling of ["strokeend", "erase"]) {
      this.#pad.addEventListener(settling, () => {
        this.#settled++;
        this.#selected = null; // a new stroke: the newest digit is shown again
      });
    }
    this.#predictor = new LivePredictor(this.#pad, {
      show: (result, strokes) => this.#show(result, strokes),
      showEmpty: () => this.#showEmpty(),
      fail: (message) => this.showError(message),
    });
    root.getElementById("clear").addEventListener("click", () => this.clear());
    root.getElementById("undo").addEventListener("click", () => this.undo());
    // Drawing focuses the pad (its pointerdown cancels the mouse's own focusing), so that
    // Escape and Ctrl+Z work on the element just drawn on.
    this.#pad.canvas.addEventListener("pointerdown", () => this.#pad.canvas.focus({ preventScroll: true, focusVisible: false }));
    this.addEventListener("keydown", (event) => this.#shortcut(event));
    this.#applyParts();
    this.#applyMode();
    performance.mark("digit-pad:pad"); // from here on the pad takes strokes (the benchmark reads this)
  }

  connectedCallback() {
    if (!this.#runtime) this.#load();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === "model") {
      if (this.#runtime) this.#load();
    } else if (name === "centring") {
      this.#predictor.request();
    } else if (name === "mode") {
      this.#applyMode();
    } else if (name === "learn") {
      this.#learning.setEnabled(this.learn, this.#runtime, this.#model);
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
    if (!this.#number || !(index >= 0 && index < this.#number.digits.length)) return;
    this.#selected = index;
    this.#showNumber(this.#number);
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
  async compareWith(name) {
    const call = ++this.#companionCalls;
    if (name) await sharedRuntime().model(name);
    if (call !== this.#companionCalls) return; // a later call decides
    this.#companion = name || null;
    this.#predictor.request(); // the drawing on the pad, if any, gets the second answer too
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

  async #load() {
    const load = ++this.#loads;
    const name = this.model;
    this.#predictor.detach();
    this.#model = null;
    this.#state = "loading";
    this.#view.showLoading();
    const missing = missingFeature();
    if (missing) return this.showError(missing);
    if (!MODEL_NAME.test(name)) return this.showError(`"${name}" is not the name of a model.`);
    if (!this.#runtime) {
      this.#runtime = sharedRuntime();
      this.#runtime.stages.watch((stage, status, detail) => {
        this.#view.stage(stage, status, detail);
        this.#announcer.stage(stage, status);
      });
    }
    try {
      const model = this.#runtime.model(name); // its worker starts now, then Python
      await Promise.race([this.#runtime.python(), model]); // a model that cannot load is said at once
      if (load !== this.#loads) return;
      this.#stage("model", "active");
      const loaded = await model;
      if (load !== this.#loads) return;
      this.#stage("model", "done", `${loaded.name} (format ${loaded.version})`);
      this.#attach(loaded);
    } catch (error) {
      if (load === this.#loads) this.showError(messageOf(error));
    }
  }

  #stage(stage, status, detail) {
    markStage(stage, status);
    this.#view.stage(stage, status, detail);
    this.#announcer.stage(stage, status);
  }

  #attach(model) {
    this.#model = model;
    this.#overlay.setAvailable(Boolean(model.cam));
    this.#learning.setEnabled(this.learn, this.#runtime, model);
    this.#applyParts();
    this.#announcer.ready();
    if (this.#pad.isEmpty) this.#showEmpty({ announce: false });
    this.#attachPredictor();
    if (!performance.getEntriesByName("digit-pad:ready").length) performance.mark("digit-pad:ready");
    this.#emit("ready", { model: model.name, gradcam: Boolean(model.cam) });
  }

  /** Predicting, the way the mode asks: the ink bitmap in Digit mode, the pad's strokes in Number mode. */
  #attachPredictor() {
    if (!this.#model) return;
    const options = () => ({
      centre: this.centring === "mass",
      models: this.#companion ? [this.#model.name, this.#companion] : [this.#model.name],
      learn: this.learn,
    });
    if (this.mode === "number") {
      const memo = new Map(); // the digits' answers, kept from frame to frame (runtime.js predictNumber)
      this.#predictor.attach((pad) => this.#runtime.predictNumber(pad, { ...options(), memo }), { readsPad: true });
    } else {
      this.#predictor.attach((region) => this.#runtime.predict(region, options()));
    }
  }

  /** The pad's shape and what the answer shows follow the mode; switching clears the pad. */
  #applyMode() {
    const bitmap = this.mode === "number" ? NUMBER_BITMAP : INK_BITMAP;
    if (this.#pad.bitmap === bitmap && this.#view.prediction.dataset.mode === this.mode) return;
    this.#number = null;
    this.#selected = null;
    this.#pad.setBitmap(bitmap);
    this.#overlay.setBitmap(bitmap);
    this.#view.setMode(this.mode);
    this.#pad.canvas.setAttribute("aria-label", PAD_LABELS[this.mode]);
    if (this.#model && this.#state !== "error") {
      this.#showEmpty({ announce: false });
      this.#attachPredictor();
    }
  }

  // --- showing ------------------------------------------------------------------------

  #applyParts() {
    this.#view.setParts({ bars: this.bars, input: this.input });
    this.#overlay.setVisible(this.gradcam);
    this.#view.setPickable(Boolean(this.#model?.cam) && this.gradcam);
  }

  #show(result, strokes) {
    if (this.#state === "error") return 0;
    if (result.digits) return this.#showNumber({ ...result, strokes });
    if (result.digit === null) {
      this.#showEmpty();
      return 0;
    }
    this.#state = "predicted";
    this.#answer = result;
    this.#learning.setTeachable(true);
    this.#view.showPrediction(result, strokes);
    if (this.#firstAtRest(strokes)) this.#announcer.prediction(result);
    const gradcam = this.#overlay.show(result);
    this.#announce(digitDetail(result), strokes);
    return gradcam;
  }

  /** Number mode: a number's answer ({digits, others, strokes}, see runtime.js predictNumber);
   * returns the ms spent on the heatmap. */
  #showNumber(answer) {
    const { digits, strokes } = answer;
    if (digits.length === 0) {
      this.#showEmpty();
      return 0;
    }
    this.#number = answer;
    this.#state = "predicted";
    this.#learning.setTeachable(true);
    const selected = this.#selected ?? digitHolding(digits, this.#pad.allStrokes.length - 1);
    this.#view.showNumber(digits, strokes, selected);
    this.#pad.setBoxes(digits.map((d) => d.box), selected);
    if (this.#firstAtRest(strokes)) this.#announcer.say(spokenNumber(digits));
    const gradcam = this.#overlay.show(digits[selected]);
    this.#announce(numberDetail(answer, selected), strokes);
    return gradcam;
  }

  /** Whether an answer from `strokes` finished strokes is the first to see the pad at rest since
   * a stroke ended or ink was removed: the one the screen reader is told (once per stroke). */
  #firstAtRest(strokes) {
    if (this.#said === this.#settled || this.#pad.isDrawing || strokes !== this.#pad.finishedStrokes) return false;
    this.#said = this.#settled;
    return true;
  }

  /** What teach() remembers: the shown answer's 28x28 input and features (Number mode: the digit the
   * bars show), or null when nothing is shown. */
  #teachable() {
    if (this.#state !== "predicted") return null;
    const shown = this.#number ? this.#number.digits[this.#selected ?? digitHolding(this.#number.digits, this.#pad.allStrokes.length - 1)] : this.#answer;
    return shown ? { pixels: shown.pixels, features: shown.features } : null;
  }

  #strokesOf(count) {
    return this.#pad.strokes.slice(0, count).map((points) => points.map(([x, y]) => [x, y]));
  }

  #showEmpty({ announce = true } = {}) {
    if (this.#state === "error") return;
    this.#state = "ready";
    this.#number = null;
    this.#answer = null;
    this.#learning.setTeachable(false);
    this.#pad.setBoxes([]);
    this.#view.showReady();
    this.#overlay.clear();
    if (announce && this.#said !== this.#settled) this.#announcer.cleared();
    this.#said = this.#settled;
    if (announce) this.#announce(EMPTY_DETAIL, 0);
  }

  /** Tells the page (digit-pad:prediction) the answer `detail` (prediction-detail.js) read from the
   * first `strokes` strokes; `number` and `digits` are Number mode's (null in Digit mode). */
  #announce(detail, strokes) {
    const inNumberMode = this.mode === "number";
    this.#prediction = {
      ...detail,
      number: inNumberMode ? (detail.number ?? "") : null,
      digits: inNumberMode ? (detail.digits ?? []) : null,
      strokes: this.#strokesOf(strokes),
      model: this.#model.name,
    };
    this.#emit("prediction", this.#prediction);
  }

  #heatmapChanged() {
    this.#view.showPicked(this.#overlay.picked);
    this.#emit("heatmap", this.#overlay.state());
  }

  /** Escape and Ctrl/Cmd+Z, pressed inside the element (not in the host's slotted content). */
  #shortcut(event) {
    if (event.target !== this) return;
    if (event.key === "Escape") {
      this.clear();
    } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
      event.preventDefault();
      this.undo();
    }
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(`digit-pad:${type}`, { detail, bubbles: true, composed: true }));
  }
}

if (!customElements.get("digit-pad")) customElements.define("digit-pad", DigitPadElement);

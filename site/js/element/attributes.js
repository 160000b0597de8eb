/* The attributes of <digit-pad> as properties (see digit-pad.js for what each means): the
 * element's class extends this one, which holds nothing but the attributes' reading. */

const DEFAULT_MODEL = "cnn";
const SHOWN_BY_DEFAULT = { bars: true, input: false, gradcam: false, learn: false, layers: false };

export class DigitPadAttributes extends HTMLElement {
  static observedAttributes = ["model", "mode", "bars", "input", "gradcam", "centring", "learn", "layers"];

  get model() {
    return this.getAttribute("model") || DEFAULT_MODEL;
  }
  set model(name) {
    this.setAttribute("model", name);
  }

  /** "digit": one digit per drawing; "number": a whole number, every digit read. */
  get mode() {
    return this.getAttribute("mode") === "number" ? "number" : "digit";
  }
  set mode(mode) {
    this.setAttribute("mode", mode);
  }

  get bars() {
    return this.#shown("bars");
  }
  set bars(on) {
    this.setAttribute("bars", String(Boolean(on)));
  }

  get input() {
    return this.#shown("input");
  }
  set input(on) {
    this.setAttribute("input", String(Boolean(on)));
  }

  get gradcam() {
    return this.#shown("gradcam");
  }
  set gradcam(on) {
    this.setAttribute("gradcam", String(Boolean(on)));
  }

  /** Whether it learns the person's handwriting (handwriting.js): off unless set. */
  get learn() {
    return this.#shown("learn");
  }
  set learn(on) {
    this.setAttribute("learn", String(Boolean(on)));
  }

  /** Whether the layers view (layers-view.js) is shown: off unless set. */
  get layers() {
    return this.#shown("layers");
  }
  set layers(on) {
    this.setAttribute("layers", String(Boolean(on)));
  }

  get centring() {
    return this.getAttribute("centring") === "box" ? "box" : "mass";
  }
  set centring(value) {
    this.setAttribute("centring", value);
  }

  /** A part shown unless its attribute says "false" (or off, no, 0); absent: its default. */
  #shown(name) {
    const value = this.getAttribute(name);
    return value === null ? SHOWN_BY_DEFAULT[name] : !/^(false|off|no|0)$/i.test(value.trim());
  }
}

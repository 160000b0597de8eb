/* What <digit-pad learn> adds (issue 37): "Not right? It's a …" with the ten digits under the answer,
 * "Your handwriting: N examples · Forget", and the element's teach() and forget(). The memory itself is
 * the page's (handwriting.js, shared by its elements); this is one element's view of it and its glue.
 *
 * The row is laid out whenever `learn` is set (its buttons are only enabled when there is a drawing to
 * teach), so that nothing under the pad moves when an answer comes. */

const countText = (count) => (count === 0 ? "no examples yet" : count === 1 ? "1 example" : `${count} examples`);

export class Learning {
  /**
   * `root`: the element's shadow root; the element is told through `current()` (the drawing to teach:
   * {pixels, features} of the answer shown, or null), `changed()` (the memory changed: read the drawing
   * again), `learned(detail)` and `learnError(detail)` (its events) and `say(text)` (the screen reader).
   */
  constructor(root, { current, changed, learned, learnError, say }) {
    this.box = root.getElementById("teach");
    this.buttons = [...this.box.querySelectorAll("button[data-digit]")];
    this.forgetButton = root.getElementById("forget");
    this.remembered = root.getElementById("remembered");
    this.prediction = root.getElementById("prediction");
    this.hooks = { current, changed, learned, learnError, say };
    this.memory = null; // the page's Handwriting, once a model with features is loaded and learning is on
    this.enabled = false;
    this.unwatch = null;
    this.buttons.forEach((button, digit) => button.addEventListener("click", () => this.teach(digit).catch(() => {})));
    this.forgetButton.addEventListener("click", () => this.forget().catch(() => {}));
  }

  /** `learn` set or not: the row shows, and the memory is read once a model is attached. */
  setEnabled(on, runtime, model) {
    this.enabled = on;
    this.box.hidden = !on;
    if (on && model) this.attach(runtime, model);
    if (!on) this.#detach();
  }

  /** A model is loaded: with learning on and a model that gives features, the page's memory is read for it. */
  attach(runtime, model) {
    this.#detach();
    if (!this.enabled || !model.features) {
      this.#show(0, model.features ? "" : "This model cannot learn your handwriting (it gives no features).");
      return;
    }
    const memory = runtime.handwriting;
    const changed = () => {
      this.#show(memory.count, memory.note);
      this.hooks.changed();
    };
    // Changes count once the memory is read for this model (its first reading tells the watchers too).
    this.unwatch = memory.watch(() => this.memory && changed());
    memory.load(model).then(() => {
      if (this.unwatch === null) return;
      this.memory = memory;
      changed();
    });
  }

  #detach() {
    this.unwatch?.();
    this.unwatch = null;
    this.memory = null;
  }

  /** Whether there is a drawing to teach (an answer on the pad). */
  setTeachable(teachable) {
    const on = teachable && this.memory !== null;
    for (const button of this.buttons) button.disabled = !on;
  }

  /** The drawing on the pad (Number mode: the digit selected) is `digit`; resolves to the count kept. */
  async teach(digit) {
    const fail = (message) => {
      this.hooks.learnError({ message });
      this.hooks.say(message);
      return Promise.reject(new Error(message));
    };
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) return fail(`${JSON.stringify(digit)} is not a digit from 0 to 9.`);
    if (!this.enabled) return fail("This pad does not learn (set its learn attribute).");
    const drawing = this.hooks.current();
    if (!drawing) return fail("There is no drawing to teach: draw the digit first.");
    if (!this.memory || !drawing.features) return fail("The handwriting memory is not ready yet.");
    const count = await this.memory.teach({ digit, ...drawing });
    this.hooks.say(`Remembered as ${digit}. ${countText(count)} of your handwriting.`);
    this.hooks.learned({ digit, count });
    return count;
  }

  /** Forgets every drawing the page keeps, on this device too. */
  async forget() {
    if (!this.memory) return;
    await this.memory.forget();
    this.hooks.say("Your handwriting is forgotten.");
    this.hooks.learned({ digit: null, count: 0 });
  }

  #show(count, note) {
    this.prediction.dataset.remembered = String(count);
    this.remembered.textContent = `Your handwriting: ${countText(count)}${note ? `. ${note}` : ""}`;
    this.remembered.title = "Kept in this browser only: nothing leaves the device.";
    this.forgetButton.disabled = count === 0;
  }
}

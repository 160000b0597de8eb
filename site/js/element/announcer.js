/* What a screen reader hears from the element, and the words that stand for its pictures.
 *
 * #announcer is a visually hidden live region (role=status, polite): it is told the
 * loading stages, that the model is ready, that a worker died and is back (a restart), and
 * the prediction once per finished stroke ("Seven, 98 percent"), never on each frame while
 * a finger draws (#prediction, which changes on every frame, is not live). `describeInput`
 * is the text alternative of the 28x28 input. */

const NAMES = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"];
const STAGES = { python: "Starting Python", numpy: "Loading numpy", model: "Loading the model" };
const SIDE = 28;

/** A digit's name, "Seven" (or "seven" with `lower`). */
export function digitName(digit, lower = false) {
  const name = NAMES[digit] ?? String(digit);
  return lower ? name.toLowerCase() : name;
}

/** A prediction ({digit, probs, verdict, candidates}, see verdict.js) in spoken words. */
export function spoken({ digit, probs, verdict, candidates }) {
  const percent = `${Math.round(probs[digit] * 100)} percent`;
  if (verdict === "not-digit") return `Not a digit (closest: ${digitName(digit, true)}, ${percent})`;
  if (verdict === "unsure") return `${digitName(candidates[0])} or ${digitName(candidates[1], true)}? ${percent}`;
  return `${digitName(digit)}, ${percent}`;
}

/** Where the ink lies in the 28x28 input (784 values in [0, 1]), in words. */
export function describeInput(pixels) {
  let top = SIDE, left = SIDE, bottom = -1, right = -1;
  for (let i = 0; i < SIDE * SIDE; i++) {
    if (pixels[i] < 0.2) continue;
    const row = Math.floor(i / SIDE), col = i % SIDE;
    top = Math.min(top, row); bottom = Math.max(bottom, row);
    left = Math.min(left, col); right = Math.max(right, col);
  }
  const what = "What the model sees: your drawing as a 28 by 28 pixel image, white ink on black";
  if (bottom < 0) return `${what}; empty.`;
  return `${what}, scaled to ${bottom - top + 1} pixels tall and ${right - left + 1} wide and centred.`;
}

export class Announcer {
  constructor(region) {
    this.region = region;
  }

  /** Says `text`: a new text node, so that a sentence said twice is heard twice. */
  say(text) {
    this.region.replaceChildren(document.createTextNode(text));
  }

  /** A loading stage (see answer-view.js stage); for "restart", `detail` is what happened, in plain words. */
  stage(stage, status, detail = "") {
    if (stage === "restart") this.say(status === "active" ? detail : "Restarted: your drawing is read again.");
    else if (status === "active" && STAGES[stage]) this.say(`${STAGES[stage]}…`);
  }

  ready() {
    this.say("The network is ready. Draw a digit.");
  }

  cleared() {
    this.say("Pad cleared.");
  }

  prediction(answer) {
    this.say(spoken(answer));
  }
}

/* Loads and checks what the model card page shows: a card (models/<model>.json, written
 * by `python -m export`) and the test digits (models/test-digits.bin, written by
 * `python -m export.gallery`). Every problem becomes a CardError in plain words. */

export const DIGITS_FILE = "models/test-digits.bin";
const MAGIC = "TDIG";
const VERSION = 1;
const HEADER_BYTES = 12;
const CLASSES = 10;

/** An error whose message is meant for the person at the page. */
export class CardError extends Error {}

/** The response for `url`; CardError naming `what` failed and how to `fix` it. */
async function fetchOrSay(url, what, fix) {
  let response;
  try {
    response = await fetch(url, { cache: "no-cache" });
  } catch (error) {
    throw new CardError(`${what} ${url} could not be fetched (${error?.message ?? error}).`);
  }
  if (!response.ok) {
    throw new CardError(`${what} ${url} could not be loaded: the server answered ${response.status} ` +
      `${response.statusText}. ${fix}`);
  }
  return response;
}

const isNumber = (x) => typeof x === "number" && Number.isFinite(x);
const isRow = (row) => Array.isArray(row) && row.length === CLASSES;
const isMatrix = (m) => isRow(m) && m.every(isRow);

/** The first part of the card the page needs that is missing or malformed, or "" when complete. */
function missingPart(card) {
  const test = card?.test;
  const history = card?.training?.history;
  const checks = [
    ["test.accuracy", isNumber(test?.accuracy)],
    ["test.confusion", isMatrix(test?.confusion) && test.confusion.flat().every(Number.isInteger)],
    ["test.per_class", Array.isArray(test?.per_class) && test.per_class.length === CLASSES],
    ["test.hardest", Array.isArray(test?.hardest)],
    ["test.calibration", Array.isArray(test?.calibration?.bins) && isNumber(test?.calibration?.temperature)],
    ["training.history", Array.isArray(history?.epoch) && Array.isArray(history?.train_loss)],
  ];
  return checks.find(([, ok]) => !ok)?.[0] ?? "";
}

/** The model card of `model`, checked; throws CardError. */
export async function loadCard(model) {
  const url = `models/${model}.json`;
  const response = await fetchOrSay(url, "The model card", `Export it with \`python -m export --model ${model}\`.`);
  let card;
  try {
    card = JSON.parse(await response.text());
  } catch (error) {
    throw new CardError(`The model card ${url} is not valid JSON (${error.message}): the file is damaged. ` +
      `Export it again with \`python -m export --model ${model}\`.`);
  }
  const missing = missingPart(card);
  if (missing) {
    throw new CardError(`The model card ${url} is incomplete: it has no usable ${missing}. ` +
      `Export it again with \`python -m export --model ${model}\`.`);
  }
  return card;
}

/** The test digits file: {has(index), label(index), pixels(index) -> Uint8Array(side*side), side, count}. */
export async function loadDigits() {
  const response = await fetchOrSay(DIGITS_FILE, "The test digits file", "Write it with `python -m export.gallery`.");
  return parseDigits(await response.arrayBuffer());
}

/** Parses the format documented in export/gallery.py; throws CardError when it is not one. */
export function parseDigits(buffer) {
  const damaged = (why) =>
    new CardError(`The test digits file ${DIGITS_FILE} is damaged (${why}). ` +
      "Write it again with `python -m export.gallery`.");
  if (buffer.byteLength < HEADER_BYTES) throw damaged(`${buffer.byteLength} bytes, too short`);
  const view = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  const version = view.getUint16(4, true);
  if (magic !== MAGIC || version !== VERSION) throw damaged("it is not a digits file of the version this page reads");
  const side = view.getUint16(6, true);
  const count = view.getUint32(8, true);
  const expected = HEADER_BYTES + count * (3 + side * side);
  if (buffer.byteLength !== expected) throw damaged(`${buffer.byteLength} bytes where ${expected} were expected`);
  const position = new Map();
  for (let i = 0; i < count; i++) position.set(view.getUint16(HEADER_BYTES + 2 * i, true), i);
  if (position.size !== count) throw damaged("a test index appears twice");
  const labels = new Uint8Array(buffer, HEADER_BYTES + 2 * count, count);
  const pixelsAt = HEADER_BYTES + 3 * count;
  const at = (index) => {
    if (!position.has(index)) throw new CardError(`Test digit ${index} is not in ${DIGITS_FILE}.`);
    return position.get(index);
  };
  return {
    side,
    count,
    has: (index) => position.has(index),
    label: (index) => labels[at(index)],
    pixels: (index) => new Uint8Array(buffer, pixelsAt + at(index) * side * side, side * side),
  };
}

/** Throws CardError unless every digit the card shows is in the file, with the label the card expects. */
export function checkDigitsForCard(card, digits, model) {
  const wanted = (card.test.hardest ?? []).map((row) => [row.index, row.label]);
  for (const [label, row] of (card.test.confusion_examples ?? []).entries()) {
    for (const index of row.flat()) wanted.push([index, label]);
  }
  for (const [index, label] of wanted) {
    if (!digits.has(index) || digits.label(index) !== label) {
      throw new CardError(`The test digits file ${DIGITS_FILE} does not match models/${model}.json ` +
        `(test digit ${index} ${digits.has(index) ? "has another label" : "is missing"}). ` +
        "Write it again with `python -m export.gallery`.");
    }
  }
}

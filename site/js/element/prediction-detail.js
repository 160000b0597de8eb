/* What a digit-pad:prediction event tells the page, built from the runtime's answers: pure
 * data in, data out, the same shape in Digit and Number mode (digit-pad.js adds the strokes
 * and the model's name). Number mode's `digit` is the digit only when exactly one was found. */

import { numberText } from "./number.js";

/** The detail of an empty pad. */
export const EMPTY_DETAIL = Object.freeze({ digit: null, probs: [], verdict: null, notDigit: null, adapted: false, others: {} });

/** {digit, probs, verdict, notDigit, candidates} of a model's answer. */
function answerOf({ digit, probs, verdict, notDigit, candidates }) {
  return { digit, probs, verdict, notDigit, candidates };
}

/** Digit mode: one answer ({digit, probs, verdict, notDigit, others}, see runtime.js predict). */
export function digitDetail(result) {
  return {
    digit: result.digit,
    probs: result.probs,
    verdict: result.verdict,
    notDigit: result.notDigit,
    adapted: Boolean(result.adapted),
    others: Object.fromEntries(Object.entries(result.others).map(([name, r]) => [name, answerOf(r)])),
  };
}

/** Number mode: a number's answer ({digits, others}, see runtime.js predictNumber), digit
 * `selected` shown in the bars. Each other model's entry is its answer for that digit and its number. */
export function numberDetail({ digits, others }, selected) {
  const shown = digits[selected];
  return {
    digit: digits.length === 1 ? shown.digit : null,
    probs: shown.probs,
    verdict: shown.verdict,
    notDigit: shown.notDigit,
    adapted: Boolean(shown.adapted),
    number: numberText(digits),
    digits: digits.map(({ digit, probs, verdict, notDigit, adapted, box }) => ({ digit, probs, verdict, notDigit, adapted: Boolean(adapted), box })),
    others: Object.fromEntries(
      Object.entries(others).map(([name, read]) => [
        name,
        { ...answerOf(read[Math.min(selected, read.length - 1)]), number: numberText(read) },
      ]),
    ),
  };
}

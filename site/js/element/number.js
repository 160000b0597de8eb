/* Number mode's words: which digits of a number can be read, the number as text and as
 * speech. A digit is read when its verdict is "digit" (verdict.js); for a model without
 * calibration, when its top probability reaches READABLE. Anything else shows as "?". */

import { digitName } from "./announcer.js";

export const UNREADABLE = "?";
const READABLE = 0.5; // a model without calibration: the top probability a read digit needs

/** Whether a digit's answer ({digit, probs, verdict}) reads as that digit. */
export function isRead({ digit, probs, verdict }) {
  return verdict === null || verdict === undefined ? probs[digit] >= READABLE : verdict === "digit";
}

/** The number's text, left to right, "?" for each digit that cannot be read ("" for none). */
export function numberText(digits) {
  return digits.map((d) => (isRead(d) ? String(d.digit) : UNREADABLE)).join("");
}

/** The number in spoken words: "Number: one, nine, eight, four" (an unreadable digit: "unreadable"). */
export function spokenNumber(digits) {
  const words = digits.map((d) => (isRead(d) ? digitName(d.digit, true) : "unreadable"));
  const count = digits.length === 1 ? "1 digit" : `${digits.length} digits`;
  return `Number, ${count}: ${words.join(", ")}`;
}

/** The index of the digit that holds stroke `stroke` (the newest, usually), else the last one. */
export function digitHolding(digits, stroke) {
  const found = digits.findIndex((d) => d.strokes.includes(stroke));
  return found >= 0 ? found : digits.length - 1;
}

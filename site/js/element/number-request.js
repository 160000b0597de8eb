/* Number mode's request to Python (runtime.js predictNumber, worker.py read_number): the pad's strokes
 * packed into typed arrays, each with an identity of its own, and the boxes of the digits found grown to
 * the ink bitmap's pen. */

import { INK_BITMAP, inkWidth } from "./ink.js";

const strokeIds = new WeakMap(); // a stroke (its array of points, pad.js) -> a number of its own
let strokesSeen = 0;

/** Each stroke's identity (an Int32Array): what a digit's answer is remembered by (an undone
 * stroke's place may be taken by another; see worker.py read_number). */
export function identities(strokes) {
  return Int32Array.from(strokes, (stroke) => {
    if (!strokeIds.has(stroke)) strokeIds.set(stroke, strokesSeen++);
    return strokeIds.get(stroke);
  });
}

/** Strokes as Python takes them: {points: Float64Array of x, y pairs, lengths: Int32Array}. */
export function packed(strokes) {
  const lengths = Int32Array.from(strokes, (points) => points.length);
  const points = new Float64Array(2 * lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      points[at++] = x;
      points[at++] = y;
    }
  }
  return { points, lengths };
}

/** A digit's box ([x, y, w, h], its path grown by the visible pen's radius) grown further
 * where the ink bitmap's pen, as wide as a fraction of the digit, is wider. */
export function inkBox([x, y, w, h], strokes) {
  const grow = Math.max(0, Math.ceil((inkWidth(strokes) - INK_BITMAP.lineWidth) / 2));
  return [x - grow, y - grow, w + 2 * grow, h + 2 * grow];
}

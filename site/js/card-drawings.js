/* The real-drawing part of the card: UCI pendigits writers' strokes drawn on the page's
 * bitmap, preprocessed as the page does, and scored (validation and held-out writers). */

import { element, perClassTable, percent } from "./card-sections.js";
import { confusionTable } from "./confusion.js";

const PARTS = [
  ["validation_writers", "Validation writers",
    "every choice in training (epochs, augmentation, checkpoint) was made on them"],
  ["held_out_writers", "Held-out writers", "no decision ever looked at them"],
];

/** The most frequent errors of a confusion matrix, in words. */
function topConfusions(matrix, count = 5) {
  const errors = matrix.flatMap((row, t) => row.map((n, p) => ({ t, p, n })).filter((e) => e.t !== e.p && e.n > 0));
  errors.sort((a, b) => b.n - a.n);
  const words = errors.slice(0, count).map(({ t, p, n }) => `${t} read as ${p} (${n}×)`);
  return words.length ? `Most frequent errors: ${words.join(", ")}.` : "No errors.";
}

/** The page's "skip centring" option, scored, when the card has it. */
function withoutCentring(figures) {
  const accuracy = figures.accuracy_without_centring;
  if (typeof accuracy !== "number") return [];
  return [element("p", { class: "note" }, `Without the centring step (the digit's box centred instead of its ` +
    `centre of mass): ${percent(accuracy)}.`)];
}

function part(figures, title, why) {
  const writers = figures.writers;
  const accuracy = element("span", { class: "drawing-accuracy", "data-value": String(figures.accuracy) },
    percent(figures.accuracy));
  const tables = element("div", { class: "tables" },
    confusionTable(figures.confusion, { caption: "Rows: the digit written; columns: the model's answer." }),
    perClassTable(figures.per_class, "Per digit"));
  return element("div", { class: "drawing-part", "data-part": title },
    element("h3", {}, `${title}: ${writers[0]}–${writers[writers.length - 1]}`),
    element("p", { class: "note" }, `Writers ${writers.join(", ")}: ${why}.`),
    element("p", { class: "headline" }, accuracy,
      ` of ${figures.count.toLocaleString("en")} drawings right (${figures.errors} wrong)`),
    ...withoutCentring(figures),
    element("p", {}, topConfusions(figures.confusion)),
    tables);
}

/** The section's content, or a note when the card has no real-drawing figures. */
export function drawings(card) {
  const figures = card.drawings;
  if (!figures) {
    const why = "This card has no real-drawing figures: export with `--pendigits` to add them.";
    return [element("p", { class: "note" }, why)];
  }
  const { bitmap_size: size, ink_width_ratio: ratio, min_ink_width: least, line_width: line } = figures.renderer ?? {};
  const pen = ratio
    ? `a pen ${ratio} times the drawing's extent wide (at least ${least} pixels)`
    : `a ${line}-pixel line`; // cards written before the ink pen followed the drawing's size
  const source = element("p", { class: "note" }, `${figures.source}: each pen trajectory drawn on a ${size}×${size} ` +
    `bitmap with ${pen}, as the pad does, then preprocessed by the page's own code.`);
  return [source, ...PARTS.filter(([key]) => figures[key]).map(([key, title, why]) => part(figures[key], title, why))];
}

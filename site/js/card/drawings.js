/* The real-drawing parts of the card: UCI pendigits writers' and UNIPEN writers' strokes drawn
 * on the page's bitmap, preprocessed as the page does, and scored (validation and held-out writers). */

import { element, perClassTable, percent } from "./sections.js";
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

/** One group of writers' figures: a heading, a note, the accuracy, errors, confusion, per digit. */
function part(figures, { className, title, heading, note, extra = [] }) {
  const accuracy = element("span", { class: "drawing-accuracy", "data-value": String(figures.accuracy) },
    percent(figures.accuracy));
  const tables = element("div", { class: "tables" },
    confusionTable(figures.confusion, { caption: "Rows: the digit written; columns: the model's answer." }),
    perClassTable(figures.per_class, "Per digit"));
  return element("div", { class: className, "data-part": title },
    element("h3", {}, heading),
    element("p", { class: "note" }, note),
    element("p", { class: "headline" }, accuracy,
      ` of ${figures.count.toLocaleString("en")} drawings right (${figures.errors} wrong)`),
    ...extra,
    element("p", {}, topConfusions(figures.confusion)),
    tables);
}

function pendigitsPart(figures, title, why) {
  const writers = figures.writers;
  return part(figures, {
    className: "drawing-part", title, heading: `${title}: ${writers[0]}–${writers[writers.length - 1]}`,
    note: `Writers ${writers.join(", ")}: ${why}.`, extra: withoutCentring(figures),
  });
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
  return [source, ...PARTS.filter(([key]) => figures[key]).map(([key, title, why]) => pendigitsPart(figures[key], title, why))];
}

const UNIPEN_PARTS = [
  ["validation_writers", "Validation writers", "every choice in training was made on them (with pendigits' 21–25)"],
  ["held_out_writers", "Held-out writers", "no decision ever looked at them"],
];

/** Accuracy on each institution's held-out writers: a table (institution, digits, errors, accuracy). */
function institutionTable(perInstitution) {
  const rows = Object.entries(perInstitution).map(([name, r]) => element("tr", { "data-institution": name },
    element("th", { scope: "row" }, name), element("td", {}, r.count.toLocaleString("en")),
    element("td", {}, String(r.errors)), element("td", {}, percent(r.accuracy))));
  return element("table", { class: "institutions" },
    element("caption", {}, "Held-out writers, per institution (each used its own tablet)"),
    element("thead", {}, element("tr", {}, ...["Institution", "Digits", "Wrong", "Accuracy"].map(
      (h) => element("th", { scope: "col" }, h)))),
    element("tbody", {}, ...rows));
}

/** The UNIPEN section: its writers' figures, per institution, and a left-out institution's when there is one. */
export function unipenDrawings(card) {
  const figures = card.unipen;
  if (!figures) {
    const why = "This card has no UNIPEN figures: export with `--unipen` to add them.";
    return [element("p", { class: "note" }, why)];
  }
  const split = figures.split ?? {};
  const counts = ["train", "validation", "held-out"].filter((s) => split[s])
    .map((s) => `${s} ${split[s].writers} writers (${split[s].digits.toLocaleString("en")} digits)`);
  const source = element("p", { class: "note" }, `${figures.source}. Writers are split by institution and a ` +
    `stable hash: ${counts.join(", ")}. Each digit is drawn on the pad at a person's size, with the page's pen, ` +
    "and preprocessed by the page's own code.");
  const parts = UNIPEN_PARTS.filter(([key]) => figures[key]).map(([key, title, why]) => part(figures[key], {
    className: "unipen-part", title, heading: `${title}: ${figures[key].writers} writers`, note: `${why}.`,
    extra: key === "held_out_writers" && figures[key].per_institution
      ? [institutionTable(figures[key].per_institution)] : [],
  }));
  const left = figures.left_out_institutions;
  if (left) {
    parts.push(part(left, {
      className: "unipen-part", title: "Left-out institutions", heading: `Institutions never trained on: ` +
        `${left.institutions.join(", ")}`, note: "All their writers, scored by a network trained by the same recipe without them (" +
        `${left.network ?? "this one"}): how the model does on a new device and population.`,
    }));
  }
  return [source, ...parts];
}

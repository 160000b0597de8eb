/* The model card's "digit or not" section: how the model says "not a digit" and "unsure",
 * how often it does on held-out writers and non-digits, its calibration on drawings and
 * the coverage-accuracy curve (card.rejection, written by export from train/rejection.py). */

import { coverageChart, reliabilityDiagram } from "./charts.js";
import { element, percent } from "./sections.js";

const METHODS = {
  outlier: "an 11th output, \"not a digit\", trained on letters, symbols and shapes (outlier exposure)",
  detector: "a second network in the same file, trained with an 11th output \"not a digit\" on letters, symbols " +
    "and shapes (outlier exposure), while the shipped one reads the digit",
  "max-prob": "a threshold on the top digit probability",
  energy: "a threshold on the energy of the ten digit logits",
};

function facts(rows) {
  return element("dl", { class: "facts" }, ...rows.flatMap(([t, v]) => [element("dt", {}, t), element("dd", {}, v)]));
}

function kinds(caught) {
  return Object.entries(caught).map(([kind, share]) => `${kind} ${percent(share, 0)}`).join(", ");
}

/** The section's nodes; a note when the card has no rejection figures. */
export function rejection(card) {
  const r = card.rejection;
  if (!r) {
    return [element("p", { class: "note" }, "This model has no \"not a digit\" verdict: it was exported without " +
      "the drawings it is calibrated on (pendigits and UNIPEN), so the page shows its plain probabilities.")];
  }
  const { digits, non_digits: non, calibration, coverage_accuracy: curve } = r.held_out;
  const c = r.calibration;
  const headline = element("p", { class: "headline" },
    element("span", { id: "rejection-caught", "data-value": String(non["not-digit"]) }, percent(non["not-digit"], 1)),
    ` of ${non.count.toLocaleString("en")} held-out non-digits called "not a digit"; ` +
    `${percent(digits["not-digit"])} of ${digits.count.toLocaleString("en")} held-out digits were.`);
  const rows = [
    ["Method", METHODS[r.method] ?? r.method],
    ["Thresholds", `"not a digit" above ${Number(c.not_digit_threshold).toFixed(4)}; "unsure" under a top ` +
      `probability of ${Number(c.unsure_threshold).toFixed(4)}; chosen on ${r.chosen_on}`],
    ["Held-out digits", `digit ${percent(digits.digit)}, unsure ${percent(digits.unsure)}, not a digit ` +
      `${percent(digits["not-digit"])}; accuracy ${percent(digits.accuracy)}, ${percent(digits.accepted_accuracy)} ` +
      "on the digits it accepts"],
    ["Held-out non-digits", `not a digit ${percent(non["not-digit"])}, unsure ${percent(non.unsure)}, ` +
      `digit ${percent(non.digit)}; caught by kind: ${kinds(non.caught_by_kind)}`],
    ["MNIST test", `${percent(r.mnist_test.accuracy_counting_rejected_as_errors)} right, counting the ` +
      `${percent(r.mnist_test["not-digit"])} called "not a digit" as errors`],
    ["Calibration", `temperature ${Number(c.calibration_temperature).toFixed(3)}, fitted on the validation ` +
      `drawings: held-out ECE ${percent(calibration.ece_before)} before, ${percent(calibration.ece)} after ` +
      `(${calibration.bins.length} bins)`],
  ];
  const charts = element("div", { class: "charts" },
    element("figure", { id: "coverage-accuracy" }, coverageChart(curve),
      element("figcaption", {}, "Held-out drawings: accuracy as the least confident answers are withheld")),
    element("figure", { id: "reliability-drawings" }, reliabilityDiagram(calibration.bins),
      element("figcaption", {}, `Held-out drawings after the temperature: ECE ${percent(calibration.ece)}`)));
  return [headline, facts(rows), charts];
}

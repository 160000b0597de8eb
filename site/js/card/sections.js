/* The model card's sections, each built from the card's numbers into its <section>. */

import { lineChart, probabilityBars, reliabilityDiagram } from "./charts.js";
import { digitTile } from "./digit-tile.js";

export const percent = (x, digits = 2) => `${(x * 100).toFixed(digits)}%`;
const integer = (x) => x.toLocaleString("en");
const listed = (object) => Object.entries(object ?? {}).map(([key, value]) => `${key} ${value}`).join(", ");
export const NO_DIGITS = "The test digits could not be loaded (the message at the top says why).";

/** An HTML element: `attributes` as in HTML (data-* ones too), then its children. */
export function element(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function definitions(rows) {
  const items = rows.flatMap(([term, ...values]) => [element("dt", {}, term), element("dd", {}, ...values)]);
  return element("dl", { class: "facts" }, ...items);
}

/** Test accuracy (the #card-accuracy contract), the network, its file and how it was trained. */
export function summary(card) {
  const { test, architecture, training, onnx } = card;
  const value = String(test.accuracy);
  const accuracy = element("span", { id: "card-accuracy", "data-value": value }, percent(test.accuracy));
  const headline = element("p", { class: "headline" }, accuracy,
    ` of the ${integer(test.count)} MNIST test digits right (${integer(test.errors)} wrong)`);
  const options = listed(architecture.options);
  const network = `${architecture.class}${options ? ` (${options})` : ""}`;
  const threads = `${training.threads} CPU thread${training.threads === 1 ? "" : "s"}`;
  const detector = architecture.detector; // a second network in the file says "not a digit" (export/pair.py)
  const commands = [card.commands.train, card.commands.export, card.commands.detector, card.commands.pair]
    .filter(Boolean).flatMap((command, i) => [...(i ? [element("br")] : []), element("code", {}, command)]);
  const facts = definitions([
    ["Network", `${network}, ${integer(architecture.parameters)} parameters`],
    ...(detector ? [["Not-a-digit detector", `${detector.class} (${listed(detector.options)}), ` +
      `${integer(detector.parameters)} parameters, in the same file; it judges, the network above reads`]] : []),
    ["Model file", `${onnx.file}, ${(onnx.bytes / 1e6).toFixed(2)} MB; checked against PyTorch on ` +
      `${integer(onnx.verified_images)} images (largest logit difference ` +
      `${onnx.max_abs_difference_vs_pytorch.toExponential(1)})`],
    ["Training", `${training.history.epoch.length} epochs in ${(training.seconds / 60).toFixed(1)} min ` +
      `on ${threads}; best validation accuracy ${percent(training.best_val_accuracy)}`],
    ["Validation", training.validation ?? ""],
    ["Augmentation", listed(training.augmentation) || "none"],
    ["Commands", ...commands],
    ["Exported", card.created],
  ]);
  const layers = element("details", {}, element("summary", {}, "Layers"),
    element("pre", {}, architecture.layers ?? ""));
  return [headline, facts, layers];
}

/** Loss and accuracy per epoch: training (augmented), validation and, when present, pen drawings. */
export function curves(history) {
  const series = (metric) => [
    ["train", "training"],
    ["val", "validation"],
    ["pen_val", "pen drawings"],
  ]
    .filter(([prefix]) => history[`${prefix}_${metric}`]?.length > 0) // a run without pen drawings has none
    .map(([prefix, name]) => ({ name: `${name} ${metric}`, values: history[`${prefix}_${metric}`], kind: prefix }));
  const loss = lineChart({ epochs: history.epoch, series: series("loss"), yLabel: "loss",
    format: (v, exact) => v.toFixed(exact ? 4 : 2) });
  const accuracy = lineChart({ epochs: history.epoch, series: series("accuracy"), yLabel: "accuracy",
    format: (v, exact) => percent(v, exact ? 2 : 1) });
  const legend = element("p", { class: "legend" },
    element("span", { class: "key train" }, "training (augmented images, mean over the epoch)"),
    element("span", { class: "key val" }, "validation (5,000 held-out MNIST images)"));
  if (history.pen_val_loss?.length) {
    legend.append(element("span", { class: "key pen_val" }, "pen drawings of the validation writers"));
  }
  const charts = element("div", { class: "charts" },
    element("figure", { id: "loss-chart" }, loss, element("figcaption", {}, "Loss")),
    element("figure", { id: "accuracy-chart" }, accuracy, element("figcaption", {}, "Accuracy")));
  return [charts, legend];
}

/** Precision, recall and F1 per class; the lowest of each column marked. */
export function perClassTable(rows, caption) {
  const columns = ["precision", "recall", "f1"];
  const lowest = Object.fromEntries(columns.map((c) => [c, Math.min(...rows.map((r) => r[c]))]));
  const head = ["digit", "precision", "recall", "F1", "support"].map((h) => element("th", { scope: "col" }, h));
  const body = rows.map((row) => element("tr", { "data-class": String(row.class) },
    element("th", { scope: "row" }, String(row.class)),
    ...columns.map((c) => element("td", row[c] === lowest[c] ? { class: "lowest" } : {}, percent(row[c]))),
    element("td", {}, integer(row.support))));
  return element("table", { class: "per-class" }, element("caption", {}, caption),
    element("thead", {}, element("tr", {}, ...head)), element("tbody", {}, ...body));
}

/** The misclassified test digits the model was surest about, with their ten probabilities. */
export function hardest(card, digits) {
  if (!digits) return [element("p", { class: "note" }, NO_DIGITS)];
  const tiles = card.test.hardest.map((row) => {
    const sure = row.probabilities[row.prediction];
    const caption = element("span", {}, element("b", {}, `${row.label} → ${row.prediction}`),
      ` ${percent(sure, sure > 0.9995 ? 3 : 1)}`, probabilityBars(row.probabilities, row.label, row.prediction));
    return digitTile(digits, row.index, caption);
  });
  return [element("div", { class: "tiles hardest-tiles" }, ...tiles)];
}

/** Reliability diagrams before and after temperature scaling, with ECE and NLL. */
export function calibration(c) {
  const figure = (bins, id, text) =>
    element("figure", { id }, reliabilityDiagram(bins), element("figcaption", {}, text));
  const charts = element("div", { class: "charts" },
    figure(c.bins, "reliability", `Softmax as trained: ECE ${percent(c.ece)}`),
    figure(c.bins_after_temperature, "reliability-scaled",
      `Logits divided by T = ${c.temperature.toFixed(3)}: ECE ${percent(c.ece_after_temperature)}`));
  return [charts, definitions([
    ["Temperature",
      `${c.temperature.toFixed(3)}, fitted on the validation images to minimise the negative log-likelihood`],
    ["Expected calibration error",
      `${percent(c.ece)} as trained, ${percent(c.ece_after_temperature)} after the temperature ` +
      `(${c.bins.length} bins)`],
    ["Negative log-likelihood",
      `${c.nll.toFixed(4)} as trained, ${c.nll_after_temperature.toFixed(4)} after the temperature`],
  ])];
}

/** The data sets the model learned from or was scored on, credited as their authors ask. */
export function credits(card) {
  const sources = card.data?.credits;
  if (!sources?.length) return [element("p", { class: "note" }, "This card does not name its data sets.")];
  return [element("ul", { class: "credits" }, ...sources.map((source) => element("li", {}, source)))];
}

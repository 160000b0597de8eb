/* The model card's charts, drawn as SVG from the card's numbers: line charts of the
 * training history, the reliability diagram and small probability bars.
 *
 * Each chart is an image with a text alternative (role=img, aria-label and <title>: what
 * it shows, in a sentence), and the bigger ones keep their figures as a table
 * (`tableOf(chart)`: {caption, headers, rows}), shown behind a disclosure (chart-text.js). */

/** The SVG namespace, taken from the HTML parser (which puts <svg> in it) rather than written out. */
const NS = Object.assign(document.createElement("div"), { innerHTML: "<svg></svg>" }).firstChild.namespaceURI;

/** An SVG element with attributes; `text` becomes its text content (for <text> and <title>). */
export function svg(name, attributes = {}, text = "") {
  const element = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text) element.textContent = text;
  return element;
}

const TABLES = new WeakMap(); // chart -> {caption, headers, rows}

/** The figures a chart was drawn from, as a table ({caption, headers, rows}), or undefined. */
export function tableOf(chart) {
  return TABLES.get(chart);
}

/** Names the chart (its accessible name, and a <title> first in it, as SVG has it) and keeps its table. */
function described(root, label, table = undefined) {
  root.setAttribute("aria-label", label);
  root.prepend(svg("title", {}, label));
  if (table) TABLES.set(root, table);
  return root;
}

function withTitle(element, title) {
  element.append(svg("title", {}, title));
  return element;
}

/** About `count` round tick values covering [low, high]. */
export function ticks(low, high, count = 5) {
  const raw = (high - low) / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const first = Math.ceil(low / step - 1e-9) * step;
  const values = [];
  for (let v = first; v <= high + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

/** A plot area with axes: returns {root, x(v), y(v), plot} for values in the given ranges. */
function frame({ width, height, xRange, yRange, xTicks, yTicks, xLabel, yLabel, format }) {
  const margin = { left: 60, right: 12, top: 14, bottom: 38 };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  const [x0, x1] = xRange;
  const [y0, y1] = yRange;
  const x = (v) => margin.left + ((v - x0) / (x1 - x0 || 1)) * (width - margin.left - margin.right);
  const y = (v) => height - margin.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - margin.top - margin.bottom);
  const axes = svg("g", { class: "axes" });
  for (const v of yTicks) {
    axes.append(svg("line", { x1: x(x0), x2: x(x1), y1: y(v), y2: y(v), class: "grid" }));
    axes.append(svg("text", { x: x(x0) - 6, y: y(v) + 4, "text-anchor": "end" }, format(v)));
  }
  for (const v of xTicks) axes.append(svg("text", { x: x(v), y: y(y0) + 16, "text-anchor": "middle" }, String(v)));
  axes.append(svg("line", { x1: x(x0), x2: x(x1), y1: y(y0), y2: y(y0), class: "axis" }));
  axes.append(svg("text", { x: (x(x0) + x(x1)) / 2, y: height - 4, "text-anchor": "middle", class: "label" }, xLabel));
  axes.append(svg("text", { x: 12, y: (y(y0) + y(y1)) / 2, transform: `rotate(-90 12 ${(y(y0) + y(y1)) / 2})`,
    "text-anchor": "middle", class: "label" }, yLabel));
  root.append(axes);
  const plot = svg("g");
  root.append(plot);
  return { root, x, y, plot };
}

/** Lines over epochs: series = [{name, values, kind}] (kind: a CSS class), one point per epoch. */
export function lineChart({ epochs, series, yLabel, format, yFloor = null, width = 420, height = 240 }) {
  const ends = series.map(({ name, values }) => `${name} from ${format(values[0], true)} to ${format(values.at(-1), true)}`);
  const label = `Line chart of ${yLabel} over ${epochs.length} epochs: ${ends.join("; ")}.`;
  const table = { caption: `${yLabel} per epoch`, headers: ["epoch", ...series.map((s) => s.name)],
    rows: epochs.map((epoch, i) => [String(epoch), ...series.map((s) => format(s.values[i], true))]) };
  return described(plainLineChart({ epochs, series, yLabel, format, yFloor, width, height }), label, table);
}

function plainLineChart({ epochs, series, yLabel, format, yFloor, width, height }) {
  const all = series.flatMap((s) => s.values);
  let low = yFloor ?? Math.min(...all);
  const high = Math.max(...all);
  if (yFloor === null) low -= (high - low) * 0.05;
  const yTicks = ticks(low, high);
  const xTicks = ticks(epochs[0], epochs[epochs.length - 1], Math.min(epochs.length - 1, 6)).filter(Number.isInteger);
  const chart = frame({ width, height, xRange: [epochs[0], epochs[epochs.length - 1]],
    yRange: [Math.min(low, yTicks[0]), Math.max(high, yTicks[yTicks.length - 1])], xTicks, yTicks,
    xLabel: "epoch", yLabel, format });
  for (const { name, values, kind } of series) {
    const group = svg("g", { class: `series ${kind}`, "data-series": name });
    const points = values.map((v, i) => `${chart.x(epochs[i])},${chart.y(v)}`).join(" ");
    group.append(svg("polyline", { points, fill: "none" }));
    values.forEach((v, i) => {
      const point = svg("circle", { cx: chart.x(epochs[i]), cy: chart.y(v), r: 3 });
      group.append(withTitle(point, `epoch ${epochs[i]}: ${name} ${format(v, true)}`));
    });
    chart.plot.append(group);
  }
  return chart.root;
}

/** Reliability diagram: per confidence bin, the accuracy (bar) against the confidence (diagonal). */
export function reliabilityDiagram(bins, { width = 300, height = 300 } = {}) {
  const used = bins.filter((b) => b.count > 0);
  const exact = (v) => `${(v * 100).toFixed(2)}%`;
  const range = (b) => `${Math.round(b.low * 100)}–${Math.round(b.high * 100)}%`;
  const worst = used.reduce((a, b) => (Math.abs(b.accuracy - b.confidence) > Math.abs(a.accuracy - a.confidence) ? b : a),
    used[0]);
  const label = `Reliability diagram: accuracy against confidence in ${used.length} bins` +
    (worst ? `; the largest gap in the ${range(worst)} bin (${worst.count} digits): confidence ` +
      `${exact(worst.confidence)}, accuracy ${exact(worst.accuracy)}.` : ".");
  const table = { caption: "Per confidence bin", headers: ["confidence bin", "digits", "mean confidence", "accuracy"],
    rows: used.map((b) => [range(b), b.count.toLocaleString("en"), exact(b.confidence), exact(b.accuracy)]) };
  return described(plainReliabilityDiagram(bins, { width, height }), label, table);
}

function plainReliabilityDiagram(bins, { width, height }) {
  const pct = (v) => `${Math.round(v * 100)}%`;
  const chart = frame({ width, height, xRange: [0, 1], yRange: [0, 1], xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1], xLabel: "confidence of the top class", yLabel: "accuracy", format: pct });
  chart.root.classList.add("reliability");
  chart.plot.append(svg("line", { x1: chart.x(0), y1: chart.y(0), x2: chart.x(1), y2: chart.y(1), class: "ideal" }));
  for (const bin of bins.filter((b) => b.count > 0)) {
    const left = chart.x(bin.low) + 1;
    const barWidth = chart.x(bin.high) - chart.x(bin.low) - 2;
    const text = `${pct(bin.low)}–${pct(bin.high)}: ${bin.count} digits, ` +
      `confidence ${(bin.confidence * 100).toFixed(2)}%, accuracy ${(bin.accuracy * 100).toFixed(2)}%`;
    const group = svg("g", { class: "bin", "data-count": bin.count });
    const span = (from, to, kind) =>
      svg("rect", { x: left, width: barWidth, y: chart.y(to), height: chart.y(from) - chart.y(to), class: kind });
    group.append(span(0, bin.accuracy, "accuracy"));
    group.append(span(Math.min(bin.accuracy, bin.confidence), Math.max(bin.accuracy, bin.confidence), "gap"));
    const label = bin.count >= 1000 ? `${(bin.count / 1000).toFixed(1)}k` : String(bin.count);
    group.append(svg("text", { x: left + barWidth / 2, y: chart.y(Math.max(bin.accuracy, bin.confidence)) - 3,
      "text-anchor": "middle", class: "count" }, label));
    chart.plot.append(withTitle(group, text));
  }
  return chart.root;
}

/** Ten small bars of a digit's probabilities; the true class and the prediction marked. */
export function probabilityBars(probabilities, label, prediction) {
  const width = 100;
  const height = 28;
  const step = width / probabilities.length;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height + 10}`, class: "prob-bars", role: "img" });
  probabilities.forEach((p, k) => {
    const kind = k === prediction ? "predicted" : k === label ? "true" : "other";
    const barHeight = Math.max(p * height, p > 0 ? 0.8 : 0);
    const bar = svg("rect", { x: k * step + 1, width: step - 2, y: height - barHeight, height: barHeight,
      class: kind });
    root.append(withTitle(bar, `${k}: ${(p * 100).toPrecision(3)}%`));
    const x = k * step + step / 2;
    root.append(svg("text", { x, y: height + 9, "text-anchor": "middle", class: kind }, String(k)));
  });
  const ranked = probabilities.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]).slice(0, 3);
  return described(root, `Probabilities, written ${label}, answered ${prediction}: ` +
    ranked.map(([p, k]) => `${k} ${(p * 100).toPrecision(3)}%`).join(", "));
}

/** Accuracy on the answers kept as the least confident are withheld: curve = [{coverage, accuracy}]. */
export function coverageChart(curve, { width = 420, height = 240 } = {}) {
  const exact = (v) => `${(v * 100).toFixed(2)}%`;
  const [first, last] = [curve[0], curve[curve.length - 1]];
  const label = `Line chart of accuracy against the share of drawings answered: ${exact(first.accuracy)} answering ` +
    `${exact(first.coverage)}, ${exact(last.accuracy)} answering ${exact(last.coverage)}.`;
  const table = { caption: "Accuracy as the least confident answers are withheld",
    headers: ["share answered", "accuracy"], rows: curve.map((p) => [exact(p.coverage), exact(p.accuracy)]) };
  return described(plainCoverageChart(curve, { width, height }), label, table);
}

function plainCoverageChart(curve, { width, height }) {
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  const accuracies = curve.map((p) => p.accuracy);
  const yTicks = ticks(Math.min(...accuracies), 1, 4);
  const coverages = curve.map((p) => p.coverage);
  const low = Math.min(...coverages);
  const chart = frame({ width, height, xRange: [low, 1], yRange: [yTicks[0], 1],
    xTicks: ticks(low, 1, 4), yTicks, xLabel: "share of drawings answered", yLabel: "accuracy", format: pct });
  chart.root.classList.add("coverage");
  const group = svg("g", { class: "series val", "data-series": "accuracy" });
  group.append(svg("polyline", { points: curve.map((p) => `${chart.x(p.coverage)},${chart.y(p.accuracy)}`).join(" "),
    fill: "none" }));
  for (const p of curve) {
    const point = svg("circle", { cx: chart.x(p.coverage), cy: chart.y(p.accuracy), r: 3 });
    group.append(withTitle(point, `answering ${pct(p.coverage)}: accuracy ${(p.accuracy * 100).toFixed(2)}%`));
  }
  chart.plot.append(group);
  return chart.root;
}

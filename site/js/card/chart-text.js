/* Every chart of the model card as text too: after each chart that kept its figures
 * (charts.js tableOf), a disclosure "The figures as a table" holding them. */

import { tableOf } from "./charts.js";

/** A <table> of {caption, headers, rows}: the first column heads its row. */
export function dataTable({ caption, headers, rows }) {
  const table = document.createElement("table");
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const text of headers) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [first, ...rest] of rows) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = first;
    tr.append(th);
    for (const text of rest) tr.insertCell().textContent = text;
  }
  return table;
}

/** Adds the table disclosure after each chart in `root` that has one (at the end of its figure). */
export function addChartTables(root) {
  for (const chart of root.querySelectorAll("svg.chart")) {
    const data = tableOf(chart);
    if (!data) continue;
    const details = document.createElement("details");
    details.className = "chart-data";
    const summary = document.createElement("summary");
    summary.textContent = "The figures as a table";
    const scroll = document.createElement("div");
    scroll.className = "table-scroll";
    scroll.append(dataTable(data));
    details.append(summary, scroll);
    (chart.closest("figure") ?? chart).append(details);
  }
}

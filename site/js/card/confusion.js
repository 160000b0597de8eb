/* Confusion matrices as tables (true class in rows, prediction in columns), shaded by
 * count; in the test-set matrix a cell can be picked to show its test digits. */

import { NO_DIGITS } from "./sections.js";
import { digitTile } from "./digit-tile.js";

/** A <table class="confusion"> of a 10x10 matrix; `onPick(true, predicted)` makes non-empty cells buttons. */
export function confusionTable(matrix, { caption, onPick = null }) {
  const table = document.createElement("table");
  table.className = "confusion";
  table.createCaption().textContent = caption;
  const peak = Math.max(1, ...matrix.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const diagonalPeak = Math.max(1, ...matrix.map((row, t) => row[t]));
  const head = table.createTHead().insertRow();
  head.append(header("true \\ said", "col"));
  matrix.forEach((_, p) => head.append(header(String(p), "col", `predicted ${p}`)));
  const body = table.createTBody();
  matrix.forEach((row, t) => {
    const tr = body.insertRow();
    tr.append(header(String(t), "row", `true ${t}`));
    row.forEach((count, p) => {
      const td = tr.insertCell();
      const cell = document.createElement(onPick && count > 0 ? "button" : "span");
      cell.className = `cell ${t === p ? "diagonal" : "wrong"}`;
      Object.assign(cell.dataset, { true: String(t), pred: String(p), count: String(count) });
      cell.textContent = String(count);
      const shade = count === 0 ? 0 : Math.log1p(count) / Math.log1p(t === p ? diagonalPeak : peak);
      cell.style.setProperty("--shade", shade.toFixed(3));
      cell.classList.toggle("strong", t !== p && shade > 0.7); // light text on the darkest reds
      cell.title = `${count} test digit${count === 1 ? "" : "s"} labelled ${t}, predicted ${p}`;
      if (cell.tagName === "BUTTON") {
        cell.type = "button";
        cell.setAttribute("aria-pressed", "false");
        cell.addEventListener("click", () => onPick(t, p));
      }
      td.append(cell);
    });
  });
  return table;
}

function header(text, scope, title = "") {
  const th = document.createElement("th");
  th.scope = scope;
  th.textContent = text;
  if (title) th.title = title;
  return th;
}

/** Marks the picked cell of `table` and fills `panel` with the test digits of cell (t, p). */
export function showCell(panel, table, card, digits, t, p) {
  for (const cell of table.querySelectorAll("button.cell")) {
    cell.setAttribute("aria-pressed", String(cell.dataset.true === String(t) && cell.dataset.pred === String(p)));
  }
  const count = card.test.confusion[t][p];
  const examples = card.test.confusion_examples?.[t]?.[p];
  const heading = document.createElement("h3");
  const what = t === p ? `${count} test digits labelled ${t} and predicted ${t}` :
    `${count} test digit${count === 1 ? "" : "s"} labelled ${t} but predicted ${p}`;
  heading.textContent = examples && examples.length < count ? `${what} (the first ${examples.length} shown)` : what;
  const grid = document.createElement("div");
  grid.className = "tiles";
  const note = document.createElement("p");
  note.className = "note";
  if (!examples) {
    note.textContent = "This card does not list the test digits of its cells: " +
      "run `python -m export.gallery` to add them.";
  } else if (!digits) {
    note.textContent = NO_DIGITS;
  } else {
    for (const index of examples) grid.append(digitTile(digits, index));
  }
  panel.replaceChildren(heading, ...(note.textContent ? [note] : []), grid);
  const shown = grid.children.length;
  Object.assign(panel.dataset, { true: String(t), pred: String(p), count: String(count), shown: String(shown) });
  panel.hidden = false;
}

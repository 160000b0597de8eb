/* The main page's Grad-CAM controls around its <digit-pad>: "Show why" (the element's
 * gradcam attribute), and "All ten digits", a grid of every class's map over the input,
 * drawn from the element's digit-pad:heatmap events (the same colouring as the element's
 * own heatmap, element/heatmap.js). Picking a cell picks its class, as its bar does. */

import { MapPainter, whereStrongest } from "./element/heatmap.js";
import { drawModelInput, INPUT_SIZE } from "./element/model-input.js";

export class HeatmapControls {
  constructor(doc, element) {
    this.element = element;
    this.controls = doc.getElementById("gradcam-controls");
    this.showBox = doc.getElementById("gradcam-show");
    this.allBox = doc.getElementById("gradcam-all");
    this.grid = doc.getElementById("gradcam-grid");
    this.cells = this.#makeGrid(doc);
    this.input = doc.createElement("canvas"); // the model input, drawn under each map
    this.input.width = this.input.height = INPUT_SIZE;
    this.painter = new MapPainter();
    this.available = false;
    // An attribute, not the property: the element may not be defined yet (a reload may
    // also restore the box unticked).
    const showOrHide = () => element.setAttribute("gradcam", String(this.showBox.checked));
    this.showBox.addEventListener("change", showOrHide);
    showOrHide();
    this.allBox.addEventListener("change", () => this.#showOrHideGrid());
    element.addEventListener("digit-pad:heatmap", () => this.#renderGrid());
  }

  #makeGrid(doc) {
    const cells = [];
    for (let digit = 0; digit < 10; digit++) {
      const cell = doc.createElement("button");
      cell.type = "button";
      cell.className = "cam-cell";
      cell.dataset.class = String(digit);
      cell.title = `Show what points to ${digit} over the pad`;
      cell.innerHTML = `<canvas width="56" height="56" data-class="${digit}" aria-hidden="true"></canvas>` +
        `<span class="cam-label">${digit}</span>`;
      cell.addEventListener("click", () => this.element.pick(digit));
      this.grid.append(cell);
      cells.push({ cell, canvas: cell.querySelector("canvas"), label: cell.querySelector(".cam-label") });
    }
    return cells;
  }

  /** Whether the element's model has maps at all (the MLP has none): no controls without. */
  setAvailable(available) {
    this.available = available;
    this.controls.hidden = !available;
    this.#showOrHideGrid();
  }

  #showOrHideGrid() {
    this.grid.hidden = !(this.available && this.allBox.checked);
    this.#renderGrid();
  }

  #renderGrid() {
    if (this.grid.hidden) return;
    const state = this.element.heatmap ?? null;
    if (state) drawModelInput(this.input.getContext("2d"), state.input);
    this.cells.forEach(({ cell, canvas, label }, k) => {
      const context = canvas.getContext("2d");
      context.clearRect(0, 0, canvas.width, canvas.height);
      cell.classList.toggle("shown", state?.class === k);
      if (!state) {
        label.textContent = String(k);
        cell.removeAttribute("aria-label");
        return;
      }
      const p = state.probs[k];
      label.textContent = `${k} · ${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`;
      cell.setAttribute("aria-label", `${k}, ${(p * 100).toFixed(p < 0.1 ? 1 : 0)} percent: what points to ${k} ` +
        `lies mostly in ${whereStrongest(state.maps[k], state.h, state.w)}`);
      cell.setAttribute("aria-pressed", String(state.class === k));
      context.imageSmoothingEnabled = false;
      context.drawImage(this.input, 0, 0, canvas.width, canvas.height);
      this.painter.draw(context, state.maps[k], state.h, state.w, [0, 0, canvas.width, canvas.height]);
    });
  }
}

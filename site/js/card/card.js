/* The model card page: loads a card (models/<model>.json) and the test digits
 * (models/test-digits.bin), draws every section from them, and switches between models.
 * Anything that goes wrong is said in #card-error in plain words. */

import { addChartTables } from "./chart-text.js";
import { CardError, checkDigitsForCard, loadCard, loadDigits } from "./data.js";
import { drawings, unipenDrawings } from "./drawings.js";
import { layerKernels } from "./layers.js";
import { learning } from "./learning.js";
import { rejection } from "./rejection.js";
import { calibration, credits, curves, element, hardest, perClassTable, summary } from "./sections.js";
import { confusionTable, showCell } from "./confusion.js";

const MODELS = ["cnn", "mlp"];
const main = document.getElementById("card");
const errorBox = document.getElementById("card-error");
const switchButtons = [...document.querySelectorAll("#model-switch [data-model]")];
const digitsLoad = loadDigits(); // one file for every card, loaded once
let shown = 0; // the latest show() call; an older one that finishes late draws nothing

const say = (error) =>
  error instanceof CardError ? error.message : `Something went wrong in the page: ${error?.message ?? error}`;

function showErrors(messages) {
  errorBox.textContent = messages.join("\n\n");
  errorBox.hidden = messages.length === 0;
  main.dataset.state = messages.length ? "error" : "ready";
}

function fill(id, nodes) {
  document.getElementById(id).replaceChildren(...nodes);
}

function render(card, digits) {
  fill("summary-body", summary(card));
  fill("curves-body", curves(card.training.history));
  const table = confusionTable(card.test.confusion, {
    caption: "Rows: the true digit; columns: the model's answer. Pick a cell to see its test digits.",
    onPick: (t, p) => showCell(document.getElementById("cell-digits"), table, card, digits, t, p),
  });
  table.id = "confusion";
  fill("confusion-body", [table]);
  const panel = document.getElementById("cell-digits");
  panel.replaceChildren(element("p", { class: "note" }, "Pick a cell to see its test digits."));
  for (const key of ["true", "pred", "count", "shown"]) delete panel.dataset[key];
  fill("per-class-body", [perClassTable(card.test.per_class, "On the MNIST test set")]);
  fill("hardest-body", hardest(card, digits));
  fill("calibration-body", calibration(card.test.calibration));
  fill("drawings-body", drawings(card));
  fill("unipen-body", unipenDrawings(card));
  fill("rejection-body", rejection(card));
  fill("learning-body", learning(card));
  fill("layers-body", layerKernels(card));
  fill("credits-body", credits(card));
  addChartTables(main);
}

async function show(model) {
  const call = ++shown;
  Object.assign(main.dataset, { state: "loading", model });
  for (const button of switchButtons) button.setAttribute("aria-pressed", String(button.dataset.model === model));
  const [cardLoad, digitsResult] = await Promise.allSettled([loadCard(model), digitsLoad]);
  if (call !== shown) return;
  if (cardLoad.status === "rejected") {
    main.classList.add("failed");
    showErrors([say(cardLoad.reason)]);
    return;
  }
  const card = cardLoad.value;
  const problems = [];
  let digits = digitsResult.status === "fulfilled" ? digitsResult.value : null;
  if (!digits) problems.push(say(digitsResult.reason));
  try {
    if (digits) checkDigitsForCard(card, digits, model);
  } catch (error) {
    problems.push(say(error));
    digits = null;
  }
  if (!card.test.confusion_examples) {
    problems.push(`The model card models/${model}.json does not list the test digits of its confusion cells. ` +
      "Run `python -m export.gallery` to add them.");
  }
  try {
    render(card, digits);
    main.classList.remove("failed");
  } catch (error) {
    main.classList.add("failed");
    problems.unshift(`The model card models/${model}.json could not be shown (${error?.message ?? error}). ` +
      `Export it again with \`python -m export --model ${model}\`.`);
  }
  showErrors(problems);
}

function requestedModel() {
  const name = new URLSearchParams(location.search).get("model");
  return MODELS.includes(name) ? name : MODELS[0];
}

for (const button of switchButtons) {
  button.addEventListener("click", () => {
    const url = new URL(location.href);
    url.searchParams.set("model", button.dataset.model);
    history.replaceState(null, "", url);
    show(button.dataset.model);
  });
}

// Nothing may fail silently into the console.
addEventListener("error", (event) => showErrors([`Something went wrong in the page: ${event.message}`]));
addEventListener("unhandledrejection", (event) => showErrors([say(event.reason)]));

show(requestedModel());

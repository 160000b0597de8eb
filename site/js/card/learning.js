/* The model card's "learning your handwriting" section: how much the handwriting memory mends on held-out
 * writers (card.learning, written by `python3 build.py drawings --learn --card`, evaluate/learning.py). */

import { element, percent } from "./sections.js";

const SOURCES = { pendigits: "pendigits writers 26-30", unipen: "UNIPEN's held-out writers", pooled: "both, pooled" };

/** The section's nodes; a note when the card has no such figures (a model without features: the MLP). */
export function learning(card) {
  const l = card.learning;
  if (!l) {
    return [element("p", { class: "note" }, "This model does not learn handwriting: it gives no features to compare.")];
  }
  const first = l.held_out[l.order_seeds[0]].pooled;
  const headline = element("p", { class: "headline" },
    element("span", { id: "learning-fewer", "data-value": String(first.fewer_errors) }, percent(first.fewer_errors, 0)),
    ` fewer errors when each held-out writer corrects every wrong answer at once: ${first.errors_without} → ` +
    `${first.errors_with} of ${first.digits.toLocaleString("en")} digits.`);
  const head = element("tr", {}, ...["writers", "order", "errors without", "with the memory", "fewer",
    "after a first correction of that digit", "corrections", "writers worse"].map((t) => element("th", { scope: "col" }, t)));
  const rows = Object.entries(SOURCES).flatMap(([source, name]) => l.order_seeds.map((seed) => {
    const f = l.held_out[seed][source];
    const cells = [`${name} (${f.writers})`, seed, f.errors_without, f.errors_with, percent(f.fewer_errors, 0),
      `${f.after_correction_errors_without} → ${f.after_correction_errors_with} of ${f.after_correction}`,
      f.corrections, f.writers_worse];
    return element("tr", {}, ...cells.map((c) => element("td", {}, String(c))));
  }));
  const table = element("table", {}, element("caption", {}, "Each writer's digits in a seeded order (two orders), " +
    "an empty memory at the start"), element("thead", {}, head), element("tbody", {}, ...rows));
  const s = l.settings;
  const how = element("p", { class: "note" }, `The ${s.neighbours} most similar remembered drawings (cosine ` +
    `similarity of the network's last hidden layer at least ${s.min_similarity}) vote with weight ${s.weight}; at ` +
    `most ${s.capacity} kept, on the person's device only. Settings chosen on ${l.chosen_on}. Command: ${l.command}`);
  const replay = l.page && element("p", { class: "note" }, `In the page: ${l.page.writer}'s first ${l.page.digits} ` +
    `digits drawn on the pad, each wrong answer taught with its buttons: the page answered as CPython ${l.page.agree} ` +
    `times of ${l.page.digits} (errors ${l.page.errors_without} without the memory, ${l.page.errors_page} with it).`);
  return [headline, table, how, ...(replay ? [replay] : [])];
}

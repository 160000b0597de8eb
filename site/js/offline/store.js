/* Asks sw.js to store the files the page did not need at once (the MLP, the model card's data, the
 * pages not seen yet) once the page no longer needs the network for itself: on a page with a
 * <digit-pad>, when it is ready; on any other page, once it has loaded. Until then sw.js keeps
 * only what the page fetched through it, so that no file is downloaded twice. */

const STORE = { type: "digit-pad:store" };

function ask(container) {
  container.ready.then((registration) => registration.active?.postMessage(STORE)).catch(() => {});
}

/** Asks once, when the page is ready (see above). */
export function storeTheRestWhenReady(container) {
  if (document.querySelector("digit-pad")) {
    document.addEventListener("digit-pad:ready", () => ask(container), { once: true });
  } else if (document.readyState === "complete") {
    ask(container);
  } else {
    addEventListener("load", () => ask(container), { once: true });
  }
}

/* Tells the person when a new version of the site is ready, and asks the browser to keep
 * the stored site (navigator.storage.persist()). Also asks sw.js to store the rest of the
 * site once the page is ready (store.js), and says what sw.js reports (reports.js).
 *
 * sw.js stores a new deploy in the background but does not take over while a page of the
 * old one runs (its files would change under it). Once stored, this page shows "A new
 * version is ready: reload"; the button lets the new worker take over, then reloads.
 * On pages without preflight.js (the model card, the embedding guide) it also installs
 * sw.js, so that any first page keeps the site for offline use. */

import { NOT_KEPT_MESSAGE, showNotice, showQuietNotice, showReports } from "./reports.js";
import { storeTheRestWhenReady } from "./store.js";

const NOTICE_ID = "update-notice";

/** Shows the notice once `worker` (a new version) has been stored and waits. */
function offer(worker) {
  const ready = () => {
    if (worker.state !== "installed" || !navigator.serviceWorker.controller) return false;
    showNotice(NOTICE_ID, "A new version is ready: ", "reload", () => {
      navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
      worker.postMessage({ type: "digit-pad:activate" });
    });
    return true;
  };
  if (!ready()) worker.addEventListener("statechange", ready);
}

function watch(registration) {
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener("updatefound", () => registration.installing && offer(registration.installing));
  // A tab left open for days: look for a new deploy when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

async function start() {
  if (!window.isSecureContext) return; // plain http on a LAN address: browsers allow no offline copy there
  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    // turned off by the browser's settings or a private window: the site runs online
    showQuietNotice(NOT_KEPT_MESSAGE);
    return;
  }
  const container = navigator.serviceWorker;
  showReports(container);
  storeTheRestWhenReady(container);
  const registration =
    (await container.getRegistration()) ?? (window.digitPadPreflight ? null : await container.register("sw.js"));
  if (registration) watch(registration);
  else container.ready.then(watch); // preflight.js installs it once the element is ready
  await container.ready;
  navigator.storage?.persist?.().catch(() => {}); // stored site: not evicted under storage pressure
}

start().catch(() => {
  // no service worker here (e.g. blocked by the browser's settings): the site runs online
  showQuietNotice(NOT_KEPT_MESSAGE);
});

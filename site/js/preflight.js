/* Runs before everything else, as a classic script so that it runs even from file://
 * (where module scripts are blocked and the page could otherwise only fail silently).
 *
 * 1. Says in the page, in plain words, when the page cannot work: opened from a file,
 *    or a browser without WebAssembly.
 * 2. Cross-origin isolation: build.py's server sends the COOP/COEP headers itself.
 *    Static hosts that cannot (GitHub Pages, buckets, `python -m http.server`) get them
 *    from sw.js, a service worker that adds them to every response of this origin; it
 *    needs one reload to take effect, done here once. The page also works without
 *    isolation (the worker is only ever called from this thread), so when no service
 *    worker is possible (plain http on a LAN address) it simply goes on.
 *
 * main.js awaits `window.digitPadPreflight`: "go" to start, "stop" when the page cannot
 * run or is about to reload.
 */
(function () {
  "use strict";
  var RELOAD_FLAG = "digit-pad-isolation-reload";

  function showError(message) {
    function show() {
      var box = document.getElementById("error");
      var prediction = document.getElementById("prediction");
      var hint = document.getElementById("hint");
      if (box) {
        box.textContent = message;
        box.hidden = false;
      }
      if (prediction) prediction.dataset.state = "error";
      if (hint) hint.textContent = "";
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
    else show();
  }

  function decide() {
    if (location.protocol === "file:") {
      showError(
        "This page was opened as a file, and browsers do not let a file load the " +
          "network it runs. Serve the folder instead: run `python build.py serve` in the " +
          "project, or `python -m http.server -d dist`, and open the address it prints.",
      );
      return Promise.resolve("stop");
    }
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      showError(
        "This browser cannot run WebAssembly, which the page needs to run Python and " +
          "the network. Try a current Chrome, Edge, Firefox or Safari, or turn off the " +
          "setting that disables WebAssembly.",
      );
      return Promise.resolve("stop");
    }
    if (window.crossOriginIsolated || !("serviceWorker" in navigator) || !window.isSecureContext) {
      sessionStorage.removeItem(RELOAD_FLAG);
      return Promise.resolve("go");
    }
    if (sessionStorage.getItem(RELOAD_FLAG)) {
      // Reloaded once already and still not isolated: go on without isolation.
      sessionStorage.removeItem(RELOAD_FLAG);
      return Promise.resolve("go");
    }
    return navigator.serviceWorker
      .register("sw.js")
      .then(function (registration) {
        return new Promise(function (resolve) {
          function reloadWhenActive() {
            var worker = registration.active;
            if (worker && worker.state === "activated") {
              sessionStorage.setItem(RELOAD_FLAG, "1");
              location.reload();
              resolve("stop");
              return;
            }
            var pending = registration.installing || registration.waiting || registration.active;
            pending.addEventListener("statechange", reloadWhenActive, { once: true });
          }
          reloadWhenActive();
        });
      })
      .catch(function () {
        return "go"; // no service worker possible here: run without isolation
      });
  }

  window.digitPadPreflight = decide();
})();

/* Runs before everything else on the main page, as a classic script so that it runs even
 * from file:// (where module scripts are blocked: the <digit-pad> element could not even
 * start, and the page could otherwise only fail silently).
 *
 * 1. Says in the page, in plain words, when it was opened from a file: in place of the
 *    element, as a #prediction in state error holding the #error message (the page's
 *    test contract). What else a browser lacks (WebAssembly, workers), the element says.
 * 2. Installs sw.js, the service worker that keeps the site for offline use. Where the
 *    page is already isolated it does so once the element is ready: the page's own
 *    downloads are then in the HTTP cache, and sw.js stores them from there (304s), so
 *    that no file is downloaded twice. Elsewhere it installs it first (3.); its first
 *    install stores nothing, and it keeps each file as the page fetches it.
 * 3. Cross-origin isolation: build.py's server sends the COOP/COEP headers itself.
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
      var prediction = document.createElement("div");
      prediction.id = "prediction";
      prediction.dataset.state = "error";
      prediction.dataset.digit = "";
      prediction.dataset.probs = "[]";
      prediction.dataset.strokes = "0";
      var box = document.createElement("p");
      box.id = "error";
      box.className = "error";
      box.setAttribute("role", "alert");
      box.textContent = message;
      prediction.appendChild(box);
      var element = document.getElementById("digit-pad");
      if (element) element.parentNode.replaceChild(prediction, element);
      else document.body.appendChild(prediction);
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
    if (!("serviceWorker" in navigator) || !window.isSecureContext) {
      sessionStorage.removeItem(RELOAD_FLAG);
      return Promise.resolve("go"); // plain http on a LAN address: no offline, no isolation
    }
    if (window.crossOriginIsolated || sessionStorage.getItem(RELOAD_FLAG)) {
      // Isolated already (by the server, or by sw.js), or reloaded once and still not
      // isolated: go on, and keep the site for offline use once the element is ready.
      sessionStorage.removeItem(RELOAD_FLAG);
      var install = function () {
        // Once it controls the page, the browser itself looks for a new sw.js on each visit.
        if (!navigator.serviceWorker.controller) navigator.serviceWorker.register("sw.js").catch(function () {});
      };
      document.addEventListener("digit-pad:ready", install, { once: true });
      document.addEventListener("digit-pad:error", install, { once: true });
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
            if (!pending || pending.state === "redundant") {
              resolve("go"); // the install failed (a file could not be stored): run without it
              return;
            }
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

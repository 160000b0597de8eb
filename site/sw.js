/* Cross-origin isolation for static hosts that cannot set response headers.
 *
 * The page's Python runs in a web worker; with cross-origin isolation that worker can
 * use SharedArrayBuffer (and timers are precise). build.py's server sends the headers
 * itself; on GitHub Pages, buckets or `python -m http.server`, this service worker adds
 * them to every response of the page's own origin. It touches nothing else: the page
 * makes no request to any other origin.
 */
"use strict";

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(fetch(request).then(withIsolationHeaders));
});

function withIsolationHeaders(response) {
  if (response.status === 0) return response; // opaque: nothing to add
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/* The site's one service worker: offline after the first visit, and cross-origin
 * isolation on hosts that cannot set response headers.
 *
 * - Install: stores every file of the build (the pages, the runtime in vendor/, the
 *   models: BUILD.files, written by build.py from webapp/precache.py) in a cache named
 *   after the build's version, each checked against its integrity hash, so that one
 *   cache never mixes two deploys. The first install takes over at once; a later one
 *   (a new deploy) waits until the page asks for it ("A new version is ready: reload",
 *   js/offline/notice.js): files are never swapped under a running page.
 * - Activate: deletes the caches of older versions.
 * - Fetch: answers the origin's requests from this version's cache first, else from
 *   the network, adding the COOP/COEP/CORP headers (the page's Python worker can then use
 *   SharedArrayBuffer) and the right content type (application/wasm: WebAssembly streams
 *   only with it). It touches nothing else: the page makes no request to another origin.
 */
"use strict";

const BUILD = { version: "unbuilt", files: [] }; // written by build.py (webapp/precache.py)
const CACHE_PREFIX = "digit-pad-";
const CACHE = CACHE_PREFIX + BUILD.version;

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};
const CONTENT_TYPES = {
  wasm: "application/wasm",
  mjs: "text/javascript",
  js: "text/javascript",
  json: "application/json",
  html: "text/html; charset=utf-8",
  css: "text/css",
  webmanifest: "application/manifest+json",
  png: "image/png",
};

self.addEventListener("install", (event) => {
  event.waitUntil(
    precache().then(() => {
      if (!self.registration.active) return self.skipWaiting(); // first install: nothing to swap
    }),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// The page's "reload" button: the new version takes over, then the page reloads.
self.addEventListener("message", (event) => {
  if (event.data?.type === "digit-pad:activate") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(answer(request, url));
});

/** Every file of this build, fetched past the HTTP cache's freshness and checked. */
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    BUILD.files.map(async ([path, integrity]) => {
      const url = new URL(path, self.registration.scope);
      if (await cache.match(url)) return; // a retried install keeps what it already has
      const response = await fetch(url, { cache: "no-cache", integrity });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      await cache.put(url, response);
    }),
  );
}

async function answer(request, url) {
  const key = url.pathname.endsWith("/") ? new URL("index.html", url) : url;
  const cache = await caches.open(CACHE);
  const cached = request.method === "GET" ? await cache.match(key, { ignoreSearch: true }) : undefined;
  return withHeaders(cached ?? (await fetch(request)), key.pathname);
}

function withHeaders(response, path) {
  if (response.status === 0) return response; // opaque: nothing to add
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  const type = CONTENT_TYPES[path.split(".").pop()];
  if (type) headers.set("Content-Type", type);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

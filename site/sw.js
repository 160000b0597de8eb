/* The site's one service worker: offline after the first visit, every file checked, and
 * cross-origin isolation on hosts that cannot set response headers.
 *
 * - Each file downloaded once. The first install stores nothing and takes over at once;
 *   then each file of the build (BUILD.files, written by build.py from webapp/precache.py)
 *   the page fetches through it is checked against its integrity hash and kept, and once
 *   the page is ready (it says "digit-pad:store", js/offline/store.js) the files it did not
 *   need at once (the MLP, the model card's data, the pages not seen) are fetched and kept
 *   too: whatever the page fetched before this worker ran comes from the HTTP cache (304).
 *   A visit cut off half-way is finished by the next one.
 * - One cache per version of the build, so that one cache never mixes two deploys. A new
 *   deploy's worker stores the whole new version before it may take over (files unchanged
 *   since the last version are copied from its cache, not downloaded), then waits until the
 *   page asks ("A new version is ready: reload", js/offline/notice.js). Pages that ran the
 *   old version keep being answered from the old cache until they are closed.
 * - Nothing damaged is served: a cached file is checked against its hash each time it is
 *   served (a damaged one is dropped and fetched again; checking costs far less than the
 *   page's own reading of the file, and a check remembered could miss a copy changed since);
 *   a file the server sends damaged is refused (the page says which, js/offline/reports.js),
 *   so nothing half-loaded runs.
 * - Storage full or unavailable: the site is answered from the network, and the page says
 *   once that it is not kept for offline use.
 * - Every answer gets the COOP/COEP/CORP headers (the Python worker can then use
 *   SharedArrayBuffer) and the right content type (application/wasm: WebAssembly streams only
 *   with it). The page makes no request to another origin; this worker touches none.
 */
"use strict";

const BUILD = { version: "unbuilt", files: [] }; // written by build.py (webapp/precache.py)
const CACHE_PREFIX = "digit-pad-";
const CACHE = CACHE_PREFIX + BUILD.version;
const INTEGRITY = new Map(BUILD.files); // path (relative to the scope) -> "sha256-..."
// Which pages still run an older version, and from which caches they are answered (kept across restarts).
const OLD_CLIENTS_CACHE = "digit-pad:old-clients";
const OLD_CLIENTS_KEY = "old-clients.json";
const STORE_PARALLEL = 4; // files fetched at once while storing the rest (the page is ready by then)

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

let storing = null; // the "store the rest" under way
let storageRefused = false; // the browser refused to store (full, or turned off): answer from the network
let oldClients = null; // the record of pages that run an older version (loadOldClients)

self.addEventListener("install", (event) => {
  // The first install stores nothing (the page's own downloads are kept as they pass); a new deploy
  // stores the whole new version before it may take over.
  event.waitUntil(self.registration.active ? storeAll() : self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(keepOldClients().then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "digit-pad:activate") self.skipWaiting(); // the page's "reload" button
  if (event.data?.type === "digit-pad:store") event.waitUntil(storeRest());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(answer(event, url));
});

// --- answering ----------------------------------------------------------------------------

async function answer(event, url) {
  const request = event.request;
  const path = pathOf(url);
  const navigation = request.mode === "navigate"; // a page loaded (or reloaded): it gets this version
  if (navigation) await forgetClosedOldClients();
  const old = navigation ? [] : await oldCachesOf(event.clientId);
  if (old.length && event.resultingClientId) await adoptOldClient(event.resultingClientId);
  if (request.method !== "GET" || !path || (!INTEGRITY.has(path) && !old.length)) {
    return withHeaders(await fromNetwork(request), url.pathname);
  }
  if (old.length) {
    for (const name of old) {
      const cached = await (await caches.open(name)).match(urlOf(path));
      if (cached) return withHeaders(cached, path);
    }
    return withHeaders(await fromNetwork(request), url.pathname); // (a file its version never stored)
  }
  return (await checkedFromCache(path)) ?? (await fetchChecked(event, path));
}

/** A file that is not kept (e.g. precache.json) from the network; offline, a 503: the page sees a status, and no
 * browser logs a rejected answer as an error. */
async function fromNetwork(request) {
  try {
    return await fetch(request);
  } catch {
    return new Response("Offline: this file is not kept for offline use.", { status: 503, statusText: "Offline" });
  }
}

/** The file from this version's cache if it is the one built; a damaged copy is dropped. The check reads a
 * second copy, so that the answer is the cache's own response, untouched (it was kept with its final headers):
 * the browser then uses the compiled code it keeps beside it (V8's code cache, for scripts and WebAssembly),
 * which a response made anew here would lose, and every warm visit would compile Pyodide and
 * onnxruntime-web again. */
async function checkedFromCache(path) {
  const cache = await openCache();
  const [cached, copy] = await Promise.all([cache?.match(urlOf(path)), cache?.match(urlOf(path))]);
  if (!cached || !copy) return null;
  if (await matches(await copy.arrayBuffer(), INTEGRITY.get(path))) return cached;
  await cache.delete(urlOf(path));
  return null;
}

/** The file from the network, checked, and kept; a damaged one is refused and reported. */
async function fetchChecked(event, path) {
  const response = await fetch(urlOf(path), { cache: "no-cache", credentials: "same-origin" });
  if (!response.ok) return withHeaders(response, path);
  const body = await response.arrayBuffer();
  if (!(await matches(body, INTEGRITY.get(path)))) {
    tell({ type: "digit-pad:damaged", path });
    const damaged = `${path} arrived damaged: it is not the file this version of the site was built with.`;
    return withHeaders(new Response(damaged, { status: 502, statusText: "Damaged file" }), path);
  }
  const checked = kept(body, response, path);
  event.waitUntil(keep(path, checked.clone()));
  return checked;
}

function withHeaders(response, path) {
  if (response.status === 0) return response; // opaque: nothing to add
  const init = { status: response.status, statusText: response.statusText, headers: answerHeaders(response, path) };
  return new Response(response.body, init);
}

/** The headers of `response` as this worker answers them: isolation and content type added. */
function answerHeaders(response, path) {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  const type = CONTENT_TYPES[path.split(".").pop()];
  if (type) headers.set("Content-Type", type);
  return headers;
}

// --- storing ------------------------------------------------------------------------------

/** After the page is ready: every file of the build not kept yet. A file that cannot be fetched now
 * (the network dropped) is left for the next visit. */
function storeRest() {
  storing ??= (async () => {
    await forgetClosedOldClients();
    const cache = await openCache();
    if (!cache) return;
    const missing = await missingFrom(cache);
    await inParallel(missing, async ([path, integrity]) => {
      if (storageRefused) return;
      try {
        const response = await fetch(urlOf(path), { cache: "no-cache", integrity });
        if (response.ok) await keep(path, kept(await response.arrayBuffer(), response, path));
      } catch {
        // offline, cut off or damaged on the server: the next visit tries again
      }
    });
  })().finally(() => (storing = null));
  return storing;
}

/** A new deploy's install: the whole version, unchanged files copied from the older caches. Fails (and
 * is tried again at the next update check) unless every file is stored. */
async function storeAll() {
  const cache = await caches.open(CACHE);
  const olderCaches = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE);
  await inParallel(await missingFrom(cache), async ([path, integrity]) => {
    for (const name of olderCaches) {
      const copy = await (await caches.open(name)).match(urlOf(path));
      const body = copy && (await copy.arrayBuffer());
      if (body && (await matches(body, integrity))) return cache.put(urlOf(path), kept(body, copy, path));
    }
    const response = await fetch(urlOf(path), { cache: "no-cache", integrity });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    await cache.put(urlOf(path), kept(await response.arrayBuffer(), response, path));
  });
}

async function keep(path, response) {
  if (storageRefused) return;
  try {
    await (await caches.open(CACHE)).put(urlOf(path), response);
  } catch (error) {
    refused(error);
  }
}

/** `body` (read whole, to be checked) with the headers `from` came with (a worker script's policy among
 * them) and those this worker answers with (answerHeaders), but none about the encoding on the wire: the
 * body is decoded. Kept so, the cache's response is served as it is (checkedFromCache). */
function kept(body, from, path) {
  const headers = answerHeaders(from, path);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  return new Response(body, { headers });
}

async function missingFrom(cache) {
  const kept = new Set((await cache.keys()).map((request) => request.url));
  return BUILD.files.filter(([path]) => !kept.has(urlOf(path).href));
}

/** This version's cache, or null when the browser gives none (storage turned off). */
async function openCache() {
  try {
    return await caches.open(CACHE);
  } catch (error) {
    refused(error);
    return null;
  }
}

function refused(error) {
  if (storageRefused) return;
  storageRefused = true;
  tell({ type: "digit-pad:storage-refused", reason: error?.name ?? String(error) });
}

// --- pages of an older version ------------------------------------------------------------

/** On taking over from an older version: the pages open now run it, and are answered from its cache
 * until they are closed; with none open the older caches go at once. */
async function keepOldClients() {
  const older = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE);
  const open = await self.clients.matchAll({ type: "all", includeUncontrolled: true });
  const record = { caches: older, clients: open.map((client) => client.id) };
  await saveOldClients(record);
  await forgetClosedOldClients();
}

/** The older caches the page `clientId` is answered from ([] for a page of this version). */
async function oldCachesOf(clientId) {
  const record = await loadOldClients();
  return clientId && record.clients.includes(clientId) ? record.caches : [];
}

/** A worker a page of the older version starts (its script's request names it) runs that version too. */
async function adoptOldClient(clientId) {
  const record = await loadOldClients();
  await saveOldClients({ caches: record.caches, clients: [...record.clients, clientId] });
}

/** Drops the older caches once no page that runs them is open. */
async function forgetClosedOldClients() {
  const record = await loadOldClients();
  if (!record.caches.length) return;
  const open = new Set((await self.clients.matchAll({ type: "all", includeUncontrolled: true })).map((c) => c.id));
  const clients = record.clients.filter((id) => open.has(id));
  if (clients.length) return saveOldClients({ caches: record.caches, clients });
  await Promise.all(record.caches.map((name) => caches.delete(name)));
  await saveOldClients({ caches: [], clients: [] });
}

/** The record (read once per worker lifetime: each request asks). */
function loadOldClients() {
  oldClients ??= (async () => {
    try {
      const saved = await (await caches.open(OLD_CLIENTS_CACHE)).match(OLD_CLIENTS_KEY);
      return saved ? await saved.json() : { caches: [], clients: [] };
    } catch {
      return { caches: [], clients: [] };
    }
  })();
  return oldClients;
}

async function saveOldClients(record) {
  oldClients = Promise.resolve(record);
  try {
    await (await caches.open(OLD_CLIENTS_CACHE)).put(OLD_CLIENTS_KEY, new Response(JSON.stringify(record)));
  } catch {
    // no storage: there are no older caches either
  }
}

// --- small helpers ------------------------------------------------------------------------

/** The path of `url` relative to the scope (a folder: its index.html), or null outside it. */
function pathOf(url) {
  const scope = self.registration.scope;
  const href = url.href.split(/[?#]/)[0];
  if (!href.startsWith(scope)) return null;
  const path = href.slice(scope.length);
  return path === "" || path.endsWith("/") ? path + "index.html" : path;
}

const urlOf = (path) => new URL(path, self.registration.scope);

/** Whether `body` has the Subresource Integrity hash `integrity` ("sha256-<base64>"). */
async function matches(body, integrity) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return `sha256-${btoa(String.fromCharCode(...digest))}` === integrity;
}

/** Runs `work` on each item, STORE_PARALLEL at a time; rejects with the first failure once all ran. */
async function inParallel(items, work) {
  const queue = [...items];
  const failures = [];
  const lane = async () => {
    while (queue.length) await work(queue.shift()).catch((error) => failures.push(error));
  };
  await Promise.all(Array.from({ length: STORE_PARALLEL }, lane));
  if (failures.length) throw failures[0];
}

/** Tells every page of the site (reports.js shows it). */
async function tell(message) {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage(message);
  }
}

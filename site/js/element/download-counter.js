/* Inside a worker (the inference worker, and PyScript's through counted-pyodide.js): every file the
 * worker downloads is counted, byte by byte as its body arrives, and told to the page on the
 * BroadcastChannel it names (downloads.js listens). The page sees none of a worker's requests itself.
 *
 * Messages: {url, loaded} while a body arrives (the bytes decoded so far, at most every
 * REPORT_EVERY_MS per file), {url, done: true} once a file is whole. A file that comes from a cache
 * arrives fast and is counted as fast: that is what it costs. Files a worker imports as modules
 * (onnxruntime-web's and Pyodide's JavaScript) are not fetched with fetch(): the browser's resource
 * timing tells when they are whole. */

const REPORT_EVERY_MS = 100;

let channel = null; // once counting: the channel to the page

/** Counts this worker's downloads on the BroadcastChannel named `name` from now on (once per worker);
 * the URLs in `whole` are files it has already (the modules its own script imports, which the resource
 * timing of a worker leaves out). */
export function countDownloads(name, whole = []) {
  if (channel || !name || typeof BroadcastChannel !== "function") return;
  channel = new BroadcastChannel(name);
  for (const url of whole) channel.postMessage({ url, done: true });
  const plainFetch = globalThis.fetch;
  globalThis.fetch = async (...args) => counted(await plainFetch(...args));
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!(entry.responseStatus >= 400)) channel.postMessage({ url: entry.name, done: true });
    }
  }).observe({ type: "resource", buffered: true });
}

/** The same response, untouched, its body counted on a copy read alongside. Untouched, because the browser
 * keeps compiled WebAssembly beside a cached file and finds it through the response it handed out: a
 * response made anew around a counting stream compiles Pyodide and onnxruntime-web afresh on every visit
 * (measured: 5 s of optimizing compilation on a warm load of this machine, against 0.3 s). */
function counted(response) {
  if (!response.ok || !response.body) return response;
  count(response.url, response.clone().body.getReader());
  return response;
}

/** Reads `reader` (a copy of `url`'s body) to the end, telling the page how far it is. */
async function count(url, reader) {
  let loaded = 0;
  let told = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.byteLength;
      if (performance.now() - told >= REPORT_EVERY_MS) {
        told = performance.now();
        channel.postMessage({ url, loaded });
      }
    }
    channel.postMessage({ url, loaded, done: true });
  } catch {
    // the download failed: whoever reads the response itself is told why
  }
}

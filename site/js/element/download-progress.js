/* The element's download bar while it loads (#progress, ::part(progress)): "12.3 of 33.4 MB, 21.1 MB
 * left" for the runtime (Pyodide, numpy, onnxruntime-web) and the element's model, from the bytes the
 * workers count (downloads.js), against each file's size in the build's list (precache.json). A
 * screen reader hears a few steps (STEPS), not every chunk. Hidden once the model is ready (or failed),
 * and where the build's list cannot be read (then the stage dots alone say how far it is). It sits
 * below the pad on a phone: it never moves the pad. */

import { Announcer } from "./announcer.js";
import { sharedDownloads } from "./downloads.js";
import { siteUrl } from "./runtime.js";

/** What the page downloads before it can read: these folders of the build, and the model's file. */
const RUNTIME_FOLDERS = ["vendor/pyodide/", "vendor/ort/"];
const STEPS = [25, 50, 75, 100]; // percent: what a screen reader hears
const MB = 1e6;

let listing = null; // Promise of precache.json's files [{path, size}], or of [] when it cannot be read

function buildFiles() {
  listing ??= fetch(siteUrl("precache.json"))
    .then((response) => (response.ok ? response.json() : { files: [] }))
    .then(({ files }) => files)
    .catch(() => []);
  return listing;
}

/** [{url, size}] of the files model `name` needs before it is ready ([] when the list cannot be read). */
async function neededFiles(name) {
  const wanted = ({ path }) => RUNTIME_FOLDERS.some((folder) => path.startsWith(folder)) || path === `models/${name}.onnx`;
  return (await buildFiles()).filter(wanted).map(({ path, size }) => ({ url: siteUrl(path), size }));
}

const megabytes = (bytes) => (bytes / MB).toFixed(1);

export class DownloadProgress {
  constructor(root) {
    this.box = root.getElementById("progress");
    this.bar = root.getElementById("progress-bar");
    this.text = root.getElementById("progress-text");
    this.announcer = new Announcer(root.getElementById("announcer"));
    this.downloads = sharedDownloads(); // listening before any worker starts
    this.following = 0; // bumped by each follow and end: a list that comes late for an older one is dropped
    this.unwatch = () => {};
  }

  /** Shows the downloads model `name` needs, as they arrive, until `end()`. */
  async follow(name) {
    const following = ++this.following;
    this.unwatch();
    const files = await neededFiles(name);
    if (following !== this.following || !files.length) return;
    this.files = files;
    this.said = null; // the highest step said (set at the first count: what had arrived before is not said)
    this.unwatch = this.downloads.watch(() => this.#show());
    this.#show();
    this.box.hidden = false;
  }

  /** The model is ready (or failed): the bar goes. */
  end() {
    this.following++;
    this.unwatch();
    this.unwatch = () => {};
    this.box.hidden = true;
  }

  #show() {
    const total = this.files.reduce((sum, { size }) => sum + size, 0);
    const done = this.files.reduce((sum, { url, size }) => sum + this.downloads.arrived(url, size), 0);
    const words = `${megabytes(done)} of ${megabytes(total)} MB`;
    Object.assign(this.box.dataset, { done: String(done), total: String(total) });
    this.bar.max = total;
    this.bar.value = done;
    this.bar.setAttribute("aria-valuetext", words);
    this.text.textContent = done < total ? `${words}, ${megabytes(total - done)} MB left` : `${words}: downloaded`;
    const percent = (100 * done) / total;
    const step = STEPS.findLast((s) => percent >= s) ?? 0;
    if (this.said !== null && step > this.said) {
      this.announcer.say(step < 100 ? `Downloading: ${step} percent, ${words}.` : `Downloaded: ${megabytes(total)} MB.`);
    }
    if (this.said === null || step > this.said) this.said = step;
  }
}

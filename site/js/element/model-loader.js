/* Loading the model an element reads with: the browser checked for what the element needs
 * (browser-support.js), the page's shared runtime (runtime.js) joined and its loading stages
 * passed on, then the model named by the element's `model` attribute loaded. A load started
 * later supersedes one still on its way: only the newest is reported. While the element is on
 * the page it is told when a worker it reads with dies and is restarted (restarts.js); once it
 * has left the page, its share of the workers is given back (runtime.js leave). */

import { missingFeature } from "./browser-support.js";
import { DownloadProgress } from "./download-progress.js";
import { PageError } from "./errors.js";
import { markStage } from "./loading-stages.js";
import { sharedRuntime } from "./runtime.js";

const MODEL_NAME = /^[a-z0-9_-]+$/;

const messageOf = (error) => (error instanceof PageError ? error.message : `Loading failed: ${error?.message ?? error}`);

export class ModelLoader {
  /**
   * Loads for `host` (the element). The element is told through `stage(stage, status, detail)` (a
   * loading stage moved on, see runtime.js; and "restart": "active" when a worker it reads with died and
   * is being restarted, `detail` saying so in plain words, "done" once it is back), `loaded(model)` (the
   * model {name, cam, ...} is ready) and `failed(message)` (it cannot be loaded, or a worker it reads
   * with was given up on: why, in plain words); it tells `companion()`, the name of the model reading
   * alongside (compareWith), or null.
   */
  constructor(host, { stage, loaded, failed, companion }) {
    this.host = host;
    this.hooks = { stage, loaded, failed, companion };
    this.runtime = null; // the page's shared runtime, once a load got past the checks, until the element left
    this.name = null; // the model of the newest load
    this.loads = 0; // bumped by each load: a newer one supersedes it
    this.unwatch = []; // what stops telling it the runtime's stages and restarts
    this.restarting = new Set(); // the workers it reads with that are being restarted (null: Python)
    this.progress = new DownloadProgress(host.shadowRoot); // the downloads' bar, while a model loads
  }

  /** The models the element reads with (runtime.js leave keeps their workers). */
  uses() {
    return [this.name, this.hooks.companion()].filter(Boolean);
  }

  /** Loads model `name`; settles once it is loaded, has failed or was superseded. */
  async load(name) {
    const load = ++this.loads;
    if (!this.runtime && !this.host.isConnected) return; // it left the page: it loads again once back
    const missing = missingFeature();
    if (missing) return this.hooks.failed(missing);
    if (!MODEL_NAME.test(name)) return this.hooks.failed(`"${name}" is not the name of a model.`);
    if (!this.runtime) this.#join();
    this.name = name;
    this.progress.follow(name);
    try {
      const model = this.runtime.model(name); // its worker starts now, then Python
      await Promise.race([this.runtime.python(), model]); // a model that cannot load is said at once
      if (load !== this.loads) return;
      this.#stage("model", "active");
      const loaded = await model;
      if (load !== this.loads) return;
      this.#stage("model", "done", `${loaded.name} (format ${loaded.version})`);
      this.hooks.loaded(loaded);
    } catch (error) {
      if (load === this.loads) this.hooks.failed(messageOf(error));
    } finally {
      if (load === this.loads) this.progress.end();
    }
  }

  /**
   * The element left the page. Once that is sure (an element moved is taken out and put back in the
   * same task: it keeps everything), it stops listening, its share of the workers is given back and
   * `left()` is told (the element shows itself loading; it loads again when it is put back).
   */
  leave(left) {
    setTimeout(() => {
      if (this.host.isConnected || !this.runtime) return;
      const runtime = this.runtime;
      this.unwatch.forEach((stop) => stop());
      [this.runtime, this.unwatch] = [null, []];
      this.restarting.clear();
      runtime.leave(this).catch(() => {}); // (it only ends workers)
      left();
    });
  }

  #join() {
    this.runtime = sharedRuntime();
    this.unwatch = [
      this.runtime.stages.watch((stage, status, detail) => this.hooks.stage(stage, status, detail)),
      this.runtime.restarts.watch((event) => this.#restarted(event)),
    ];
    this.runtime.join(this);
  }

  /** A worker died and is being restarted, is back, or was given up on (restarts.js): said in the
   * element when it reads with that worker (Python: every element does). */
  #restarted({ status, model, message }) {
    if (model !== null && !this.uses().includes(model)) return;
    if (status === "lost") {
      this.restarting.add(model);
      this.hooks.stage("restart", "active", message);
    } else if (this.restarting.delete(model) && !this.restarting.size) {
      if (status === "back") this.hooks.stage("restart", "done");
    }
    if (status === "gave-up") this.hooks.failed(message);
  }

  /** The model's own stage (the runtime reports Python's and numpy's): marked for the benchmark too. */
  #stage(stage, status, detail) {
    markStage(stage, status);
    this.hooks.stage(stage, status, detail);
  }
}

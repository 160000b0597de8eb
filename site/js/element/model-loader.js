/* Loading the model an element reads with: the browser checked for what the element needs
 * (browser-support.js), the page's shared runtime (runtime.js) started and its loading stages
 * passed on, then the model named by the element's `model` attribute loaded. A load started
 * later supersedes one still on its way: only the newest is reported. */

import { missingFeature } from "./browser-support.js";
import { markStage, PageError, sharedRuntime } from "./runtime.js";

const MODEL_NAME = /^[a-z0-9_-]+$/;

const messageOf = (error) => (error instanceof PageError ? error.message : `Loading failed: ${error?.message ?? error}`);

export class ModelLoader {
  /**
   * The element is told through `stage(stage, status, detail)` (a loading stage moved on, see
   * runtime.js), `loaded(model)` (the model {name, cam, ...} is ready) and `failed(message)` (it
   * cannot be loaded: why, in plain words).
   */
  constructor({ stage, loaded, failed }) {
    this.hooks = { stage, loaded, failed };
    this.runtime = null; // the page's shared runtime, once a load got past the checks
    this.loads = 0; // bumped by each load: a newer one supersedes it
  }

  /** Loads model `name`; settles once it is loaded, has failed or was superseded. */
  async load(name) {
    const load = ++this.loads;
    const missing = missingFeature();
    if (missing) return this.hooks.failed(missing);
    if (!MODEL_NAME.test(name)) return this.hooks.failed(`"${name}" is not the name of a model.`);
    if (!this.runtime) {
      this.runtime = sharedRuntime();
      this.runtime.stages.watch((stage, status, detail) => this.hooks.stage(stage, status, detail));
    }
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
    }
  }

  /** The model's own stage (the runtime reports Python's and numpy's): marked for the benchmark too. */
  #stage(stage, status, detail) {
    markStage(stage, status);
    this.hooks.stage(stage, status, detail);
  }
}

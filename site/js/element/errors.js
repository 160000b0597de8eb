/* The errors the runtime tells the elements about, in words meant for the person at the page. */

/** An error whose message is meant for the person at the page. */
export class PageError extends Error {}

/**
 * A worker is gone (it died, or the page let it go): what was awaited from it will not come. A
 * prediction that gets one is made again once the worker is back (predictor.js), unless it is `final`:
 * the worker was given up on (restarts.js) or let go (runtime.js leave), and nothing will bring it back.
 */
export class WorkerLost extends PageError {
  constructor(message, { final = false } = {}) {
    super(message);
    this.final = final;
  }
}

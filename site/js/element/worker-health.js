/* Whether a worker is still alive. A worker can die by an error it did not catch, by a message it
 * sends that cannot be read, or silently: a Worker ended by terminate() or killed by the browser (out
 * of memory) fires no event at all. So a worker is watched through its calls (calls.js): only when
 * answers have been awaited for SILENCE_MS with nothing heard is it pinged, and it is dead when the
 * ping gets no answer within PONG_MS. Nothing runs while it is idle, and a prediction costs no more
 * than a timer reset per message. A worker still busy with a long piece of work answers the ping
 * once it is done with it: it is only declared dead when it has been silent SILENCE_MS + PONG_MS. */

export const SILENCE_MS = 3000; // a prediction takes tens of milliseconds; a slow one, under a second
export const PONG_MS = 2000; // a ping is answered at once by a worker that is alive and not busy

/**
 * Watches `worker` (a Worker) and `calls` (the Calls it answers on: over the Worker itself, or over a
 * MessagePort to it): `died(reason)` is told once, in plain words, when it is found dead. Returns
 * {stop()}: stops watching (the worker is being let go, or is already known dead).
 */
export function watchWorker(worker, calls, died) {
  let watching = true;
  let pinging = false;
  const die = (reason) => {
    if (!watching) return;
    stop();
    died(reason);
  };
  const failed = (event) => {
    event.preventDefault(); // handled here: not reported again as the page's own error
    die(`it failed: ${event.message || "an error it did not catch"}`);
  };
  const unreadable = () => die("a message from it could not be read");
  const targets = calls.target === worker ? [worker] : [worker, calls.target];
  worker.addEventListener("error", failed);
  for (const target of targets) target.addEventListener("messageerror", unreadable);
  calls.watchSilence(SILENCE_MS, async () => {
    if (pinging || !watching) return;
    pinging = true;
    const answered = await answersWithin(calls.call({ type: "ping" }), PONG_MS);
    pinging = false;
    if (!answered) die("it stopped answering");
  });
  function stop() {
    watching = false;
    worker.removeEventListener("error", failed);
    for (const target of targets) target.removeEventListener("messageerror", unreadable);
    calls.watchSilence(null);
  }
  return { stop };
}

/** Whether `call` settles within `ms` (an error answer is an answer: the other end is alive). */
function answersWithin(call, ms) {
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms, false)));
  const answered = call.then(
    () => true,
    () => true,
  );
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

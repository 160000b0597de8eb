/* From a model's logits to what the page says: the ten calibrated digit probabilities,
 * the "not a digit" score and the verdict. The same arithmetic as train/rejection.py
 * (the tests compare the two), with the calibration the model carries in its ONNX
 * metadata (site/py/model_check.py calibration):
 *
 * - probs: softmax(logits / T), the ten digits (they sum to 1);
 * - notDigit in [0, 1]: by the model's method, "outlier" the probability of its 11th
 *   output, "detector" the sigmoid of that output (a second network's log-odds, export/pair.py),
 *   "max-prob" one minus the top probability, "energy" 1 / (1 + sum exp(z / T));
 * - verdict: "not-digit" above the not-digit threshold, else "unsure" under the unsure
 *   threshold of the top probability, else "digit".
 *
 * A model without calibration gets plain probabilities, notDigit null and verdict null.
 * The methods' and verdicts' names are train/contract.json's (tests/test_contract.py checks
 * that this file knows exactly those).
 */

/** Softmax of `logits` divided by `temperature`. */
export function softmax(logits, temperature = 1) {
  const scaled = Array.from(logits, (z) => z / temperature);
  const top = Math.max(...scaled);
  const exps = scaled.map((z) => Math.exp(z - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The probability of one extra logit `extra` (already divided by T) beside `scaled`. */
function extraProbability(scaled, extra) {
  const top = Math.max(extra, ...scaled);
  const sum = scaled.reduce((total, z) => total + Math.exp(z - top), 0);
  const own = Math.exp(extra - top);
  return own / (sum + own);
}

/** The "not a digit" score of ten `logits` (and the 11th, `notDigitLogit`, or null). */
export function notDigitScore(logits, notDigitLogit, { temperature, method }) {
  const scaled = Array.from(logits, (z) => z / temperature);
  if (method === "outlier") return extraProbability(scaled, notDigitLogit / temperature);
  if (method === "detector") return 1 / (1 + Math.exp(-notDigitLogit));
  if (method === "max-prob") return 1 - Math.max(...softmax(scaled));
  if (method === "energy") return extraProbability(scaled, 0);
  throw new Error(`unknown 'not a digit' method ${method}`);
}

/** {digit, probs, notDigit, verdict, candidates ([top, second] digits), adapted: false} of one drawing. */
export function answerFrom(logits, notDigitLogit, calibration) {
  const probs = softmax(logits, calibration?.temperature ?? 1);
  const notDigit = calibration ? notDigitScore(logits, notDigitLogit, calibration) : null;
  return answerOf(probs, notDigit, calibration);
}

/**
 * The answer of ten calibrated `probs` and a "not a digit" score. `adapted`: the handwriting memory
 * blended remembered drawings into `probs` (py/memory.py); a drawing like one the person said is a
 * digit is then not called "not a digit" (the score is still reported).
 */
export function answerOf(probs, notDigit, calibration, adapted = false) {
  const ranked = probs.map((p, digit) => [p, digit]).sort((a, b) => b[0] - a[0]);
  const digit = ranked[0][1];
  const candidates = [ranked[0][1], ranked[1][1]];
  if (!calibration) return { digit, probs, notDigit: null, verdict: null, candidates, adapted };
  let verdict = "digit";
  if (notDigit > calibration.notDigitThreshold && !adapted) verdict = "not-digit";
  else if (probs[digit] < calibration.unsureThreshold) verdict = "unsure";
  return { digit, probs, notDigit, verdict, candidates, adapted };
}

/** The verdict in plain words. */
export function verdictText({ digit, verdict, candidates }) {
  if (verdict === "not-digit") return "That doesn't look like a digit.";
  if (verdict === "unsure") return `${candidates[0]} or ${candidates[1]}?`;
  if (verdict === "digit") return `It's a ${digit}.`;
  return "";
}

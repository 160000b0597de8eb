/* From a model worker's outputs to the answers the element shows (verdict.js does the arithmetic), and
 * the handwriting memory's part in them: the features each answer carries, and the answers once the
 * remembered drawings have voted (py/worker.py "recall"). */

import { answerFrom, answerOf } from "./verdict.js";

/** One model's answer from its outputs ({outputs, ms}, see Inference.result): {name, digit,
 * probs, notDigit, verdict, candidates, adapted (see verdict.js answerFrom), cam, features
 * (Float32Array of the model's last hidden layer, or null), layers (see layersOf), ms}. */
export function classify(model, { outputs, ms }) {
  const { name, fetch, cam: camOutput, notDigit: notDigitOutput, features: featuresOutput, calibration } = model;
  const notDigitLogit = notDigitOutput ? outputs[notDigitOutput].data[0] : null;
  const answer = answerFrom(outputs[fetch].data, notDigitLogit, calibration);
  let cam = null;
  if (camOutput) {
    const [, , h, w] = outputs[camOutput].dims;
    cam = { data: outputs[camOutput].data, h, w };
  }
  const features = featuresOutput ? outputs[featuresOutput].data : null;
  return { name, ...answer, cam, features, layers: layersOf(model, outputs, features), ms };
}

/** The layer view's activations in `outputs` when the model was asked for them: {stages: [{name, channels,
 * height, width, data (Float32Array, C x H x W)}] in network order, hidden (the last hidden layer)}; else
 * undefined. */
function layersOf({ layers }, outputs, hidden) {
  if (!layers || !(layers.activations[0] in outputs)) return undefined;
  const stages = layers.stages.map((name, i) => {
    const { data, dims } = outputs[layers.activations[i]];
    const [, channels, height, width] = dims;
    return { name, channels, height, width, data };
  });
  return { stages, hidden };
}

/** Each row's answer of a batch's outputs (see classify): [{name, digit, probs, ...}], with
 * `ms` (the batch's time) on the array. */
export function classifyBatch(model, { outputs, ms }) {
  const rows = outputs[model.fetch].dims[0];
  const answers = [];
  for (let row = 0; row < rows; row++) answers.push(classify(model, { outputs: rowOf(outputs, row), ms }));
  return Object.assign(answers, { ms, name: model.name });
}

/** Row `row` of every output ({data, dims}), as an output of batch size 1. */
export function rowOf(outputs, row) {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, { data, dims }]) => {
      const size = dims.slice(1).reduce((a, b) => a * b, 1);
      return [name, { data: data.subarray(row * size, (row + 1) * size), dims: [1, ...dims.slice(1)] }];
    }),
  );
}

/**
 * `answers` of `model` once the handwriting memory has voted: `recall({probs, features})` is the Python
 * worker's "recall" (Float64Array of N x 10 calibrated probabilities, Float32Array of N features rows;
 * resolves to {probs, votes}, Float64Arrays of N x 10). An answer no remembered drawing was like keeps the
 * network's probabilities, with `adapted: false`.
 */
export async function recalled(answers, model, recall) {
  if (!answers.length) return answers;
  const width = answers[0].features.length;
  const probs = new Float64Array(answers.length * 10);
  const features = new Float32Array(answers.length * width);
  answers.forEach((answer, i) => {
    probs.set(answer.probs, i * 10);
    features.set(answer.features, i * width);
  });
  const found = await recall({ probs, features });
  return answers.map((answer, i) => {
    const votes = found.votes.subarray(i * 10, (i + 1) * 10);
    if (!votes.some((v) => v > 0)) return answer;
    const blended = Array.from(found.probs.subarray(i * 10, (i + 1) * 10));
    return { ...answer, ...answerOf(blended, answer.notDigit, model.calibration, true) };
  });
}

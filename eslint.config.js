// ESLint's configuration (`python3 build.py lint`): the recommended rules, and the globals
// each kind of file runs with. CommonJS, as package.json does not say "type": "module".
const js = require("@eslint/js");
const globals = require("globals");

// Module workers (site/js: ES modules in the page; bench/: the reference workers it measures against).
const WORKERS = ["site/js/element/inference-worker.js", "bench/reference-worker.mjs", "bench/reference-ort.mjs"];
// Classic scripts, loaded by a <script> without type="module".
const CLASSIC = ["site/js/preflight.js", "site/js/card/file-check.js"];

module.exports = [
  { ignores: ["dist/", "dist.tmp/", "vendor/", ".venv/", "data/", "runs/", "checkpoints/"] },
  js.configs.recommended,
  { files: ["site/js/**/*.js"], ignores: WORKERS, languageOptions: { globals: globals.browser } },
  { files: WORKERS, languageOptions: { globals: globals.worker } },
  { files: CLASSIC, languageOptions: { sourceType: "script" } },
  { files: ["site/sw.js"], languageOptions: { sourceType: "script", globals: globals.serviceworker } },
  { files: ["eslint.config.js"], languageOptions: { sourceType: "commonjs", globals: globals.node } },
  // Node scripts: the engine smoke tests' Firefox driver (puppeteer-core).
  { files: ["tests/**/*.mjs"], languageOptions: { globals: globals.node } },
];

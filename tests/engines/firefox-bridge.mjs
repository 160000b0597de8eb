// Firefox for the engine smoke tests (tests/engines/firefox.py), driven by puppeteer-core over
// WebDriver BiDi: Firefox itself, no patched build and no geckodriver (Debian has none).
// Usage: node firefox-bridge.mjs FIREFOX_BINARY. One JSON request per line on stdin,
// {id, command, ...arguments}; one JSON answer per line on stdout, {id, value} or {id, error}.
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const [executablePath] = process.argv.slice(2);
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath,
  headless: true,
  defaultViewport: { width: 1280, height: 900 },
});
const page = (await browser.pages())[0] ?? (await browser.newPage());

// What the page and its workers said at the error level, and what they threw, since the last asking.
const errors = [];
page.on("console", (message) => {
  if (message.type() === "error") errors.push(message.text());
});
page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));

const commands = {
  version: () => browser.version(),
  goto: async ({ url }) => {
    await page.goto(url);
    return null;
  },
  reload: async () => {
    await page.reload();
    return null;
  },
  // An expression evaluated in the page; a promise is awaited; the value must survive JSON.
  evaluate: ({ expression }) => page.evaluate(expression),
  // One stroke of the mouse through viewport points: pointer events, as a person's hand gives them.
  stroke: async ({ points }) => {
    const [[x0, y0], ...rest] = points;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(x, y);
    await page.mouse.up();
    return null;
  },
  errors: () => errors.splice(0),
  close: async () => {
    await browser.close();
    return null;
  },
};

const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");
answer({ id: 0, value: "started" });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id, command, ...args } = JSON.parse(line);
  try {
    answer({ id, value: (await commands[command](args)) ?? null });
  } catch (error) {
    answer({ id, error: String(error?.message ?? error) });
  }
  if (command === "close") break;
}

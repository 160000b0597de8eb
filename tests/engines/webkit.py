"""WebKit for the engine smoke tests: WebKitGTK's MiniBrowser, driven by Selenium through Debian's
WebKitWebDriver, in a virtual X display (Xvfb): WebKitGTK has no headless mode.

WebKitWebDriver 2.50 has no log endpoint and no WebDriver BiDi, and MiniBrowser in automation mode writes
no console message to its stdout; so the page's console errors, uncaught errors and unhandled rejections
are collected by a hook put into each page once it has loaded (`WATCH_ERRORS`): what the page logs while
it boots, draws and reads, not what it logged before its load event."""

from __future__ import annotations

import json
import os
import subprocess

MOVE_MS = 16  # one pointer move per display frame, as a hand gives them
SCREEN = "1280x1024x24"
WATCH_ERRORS = """
if (!window.engineErrors) {
  window.engineErrors = [];
  const logError = console.error.bind(console);
  console.error = (...args) => { window.engineErrors.push(args.map(String).join(' ')); logError(...args); };
  addEventListener('error', (e) => window.engineErrors.push(`uncaught: ${e.message}`));
  addEventListener('unhandledrejection', (e) => window.engineErrors.push(`unhandled rejection: ${e.reason}`));
}
"""
TAKE_ERRORS = "const seen = window.engineErrors ?? []; window.engineErrors = []; return seen;"


class VirtualDisplay:
    """An Xvfb server on the first free display number (Xvfb picks it and tells us through -displayfd)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
            pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class WebKit:
    """One MiniBrowser window under WebKitWebDriver."""

    name = "WebKit"

    def __init__(self, driver: str, browser: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self.display = VirtualDisplay()
        options = Options()
        options.binary_location = browser
        options.add_argument("--automation")
        service = Service(executable_path=driver, env={**os.environ, "DISPLAY": self.display.name})
        try:
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        except Exception:
            self.display.close()
            raise
        self.version = f"WebKitGTK {self.driver.capabilities.get('browserVersion', '?')}"
        self.errors: list[str] = []  # those of the pages left behind

    def goto(self, url: str) -> None:
        self.errors += self.driver.execute_script(TAKE_ERRORS) or []
        self.driver.get(url)
        self.driver.execute_script(WATCH_ERRORS)

    def reload(self) -> None:
        self.errors += self.driver.execute_script(TAKE_ERRORS) or []
        self.driver.refresh()
        self.driver.execute_script(WATCH_ERRORS)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (a promise's result), through JSON."""
        script = (
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve().then(() => ({expression}))"
            ".then((value) => done(JSON.stringify(value ?? null)),"
            " (error) => done(JSON.stringify({thrown: String(error)})));"
        )
        value = json.loads(self.driver.execute_async_script(script))
        if isinstance(value, dict) and set(value) == {"thrown"}:
            raise RuntimeError(f"WebKit: {value['thrown']}")
        return value

    def stroke(self, points: list[tuple[int, int]]) -> None:
        """Pointer down at the first viewport point, a move to each next one (a frame each), up at the last."""
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        actions = ActionBuilder(self.driver, duration=MOVE_MS)
        pointer = actions.pointer_action
        pointer.move_to_location(*points[0]).pointer_down()
        for x, y in points[1:]:
            pointer.move_to_location(x, y)
        pointer.pointer_up()
        actions.perform()

    def console_errors(self) -> list[str]:
        """Console errors and uncaught errors since the last call (of each page since its load event)."""
        seen, self.errors = self.errors + (self.driver.execute_script(TAKE_ERRORS) or []), []
        return seen

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.display.close()

"""Firefox for the engine smoke tests: Debian's firefox-esr, headless, driven by puppeteer-core over
WebDriver BiDi through firefox-bridge.mjs (one JSON line per request and per answer)."""

from __future__ import annotations

import json
import select
import subprocess
import tempfile
from pathlib import Path

BRIDGE = Path(__file__).with_name("firefox-bridge.mjs")
START_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 60


class EngineError(RuntimeError):
    """The browser or its driver refused or failed a command; the message says what it said."""


class Firefox:
    """One headless Firefox with one tab; `evaluate`, `stroke` and the rest go to firefox-bridge.mjs."""

    name = "Firefox"

    def __init__(self, binary: str, node: str) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # the bridge's stderr, shown if it ends early
        self.process = subprocess.Popen(
            [node, str(BRIDGE), binary], cwd=BRIDGE.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, text=True,
        )  # fmt: skip
        self.last_id = 0
        self.answer(0, START_TIMEOUT_S)
        self.version = f"Firefox {self.call('version').split('/')[-1]}"

    def call(self, command: str, timeout: float = COMMAND_TIMEOUT_S, **arguments):
        self.last_id += 1
        self.process.stdin.write(json.dumps({"id": self.last_id, "command": command, **arguments}) + "\n")
        self.process.stdin.flush()
        return self.answer(self.last_id, timeout)

    def answer(self, wanted: int, timeout: float):
        if not select.select([self.process.stdout], [], [], timeout)[0]:
            raise EngineError(f"Firefox's bridge gave no answer in {timeout} s")
        line = self.process.stdout.readline()
        if not line:
            self.log.seek(0)
            raise EngineError(f"Firefox's bridge ended: {self.log.read()[-2000:]}")
        message = json.loads(line)
        assert message["id"] == wanted, f"answer {message['id']} to request {wanted}"
        if "error" in message:
            raise EngineError(message["error"])
        return message["value"]

    def goto(self, url: str) -> None:
        self.call("goto", url=url)

    def reload(self) -> None:
        self.call("reload")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (a promise's result), through JSON."""
        return self.call("evaluate", expression=expression)

    def stroke(self, points: list[tuple[int, int]]) -> None:
        """Mouse down at the first viewport point, a move to each next one, up at the last."""
        self.call("stroke", points=points)

    def console_errors(self) -> list[str]:
        """Console errors and uncaught exceptions since the last call."""
        return self.call("errors")

    def close(self) -> None:
        try:
            self.call("close")
            self.process.stdin.close()  # the bridge's input ends: Node exits
            self.process.wait(timeout=30)
        except (EngineError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
        self.log.close()

"""axe-core (the npm package, node_modules/axe-core) run in a page by Playwright: the
accessibility rules a page breaks, WCAG 2.x A and AA and best practices."""

from __future__ import annotations

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.flat().join(" >> "), summary: n.failureSummary })),
  }));
}"""


def violations(page) -> list[dict]:
    """The axe-core violations of the page as it is now: [{id, impact, help, nodes: [{target, summary}]}]
    (shadow roots included: axe reads open ones)."""
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `npm ci` (python3 build.py build does)")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through DevTools, not as a <script> tag: the page's CSP allows no inline script.
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    return page.evaluate(RUN_AXE)


def report(found: list[dict]) -> str:
    """The violations in a few readable lines each."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['summary']}".replace("\n", " ") for n in v["nodes"][:5]]
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)

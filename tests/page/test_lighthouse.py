"""Lighthouse (the pinned npm package) scores the built pages 100 in accessibility, best
practices and SEO: index.html and card.html, mobile and desktop presets, light and dark.
Eight Lighthouse runs: a few minutes (python3 build.py lighthouse prints the same table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import lighthouse

pytestmark = pytest.mark.e2e


def test_lighthouse_scores_every_page_100(dist: Path):
    if not lighthouse.CLI.is_file():
        pytest.skip("node_modules/lighthouse is missing: `npm ci` (python3 build.py build) installs it")
    results = lighthouse.measure(directory=dist)
    print("\n" + lighthouse.show(results))
    assert len(results) == len(lighthouse.PAGES) * len(lighthouse.PRESETS) * len(lighthouse.SCHEMES)
    below = [r for r in results if any(score < 100 for score in r["scores"].values())]
    assert not below, lighthouse.show(below)

"""The web app manifest (dist/manifest.webmanifest): what Chrome needs to offer to install
the site, with relative URLs so that it installs from any sub-path."""

from __future__ import annotations

from webapp.icons import ICONS

NAME = "Digit pad"
THEME_LIGHT = "#f3f5f9"  # the page's --back: the title bar blends with the page
THEME_DARK = "#1d2330"  # the page's --ink, for the dark title bar (index.html's theme-color meta)
BACKGROUND = "#f3f5f9"  # the splash screen while the page starts


def manifest() -> dict:
    """The manifest's fields; `start_url` and `scope` are relative to the manifest's own URL."""
    return {
        "name": "Digit pad: draw a digit, see what the network thinks",
        "short_name": NAME,
        "description": "Handwritten digits read by a neural network in your browser; works offline, sends nothing.",
        "id": "./",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_LIGHT,
        "background_color": BACKGROUND,
        "categories": ["education", "utilities"],
        "icons": [
            {
                "src": f"icons/{icon.name}",
                "sizes": f"{icon.size}x{icon.size}",
                "type": "image/png",
                "purpose": icon.purpose,
            }
            for icon in ICONS
        ],  # fmt: skip
    }

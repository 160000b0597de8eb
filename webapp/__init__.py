"""What makes dist/ an installable, offline-capable web app: icons, the manifest, the
service worker's precache list and the pages' Content Security Policy.

Standard library only: build.py imports it before the virtual environment exists.
"""

"""A folder served by build.py's own server (with the isolation headers) on a free port, until stop():
the offline test stops its own to take the network away."""

from __future__ import annotations

import threading
from pathlib import Path

from webapp.server import make_server


class Site:
    def __init__(self, directory: Path) -> None:
        self.server = make_server(directory, 0, quiet=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

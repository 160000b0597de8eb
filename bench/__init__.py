"""The page's benchmark: `python build.py bench` (which runs `python -m bench`).

loads.py times page loads (cold and warm profiles, ours and a bare Pyodide + numpy
reference) and counts the bytes transferred; drawing.py draws on the pad and measures
prediction latency and the main thread's longest tasks.
"""

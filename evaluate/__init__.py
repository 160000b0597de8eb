"""What scores the exported models, after export: people's drawings and whole numbers, offline
(onnxruntime, through train/onnx_run.py) and in the built page (`python3 build.py drawings`,
`python3 build.py numbers`), and the driver of the built page in Chromium that these, the
benchmarks (bench/) and the end-to-end tests (tests/page/) share (pagekit.py)."""

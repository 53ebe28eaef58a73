"""Runs ONNX files with onnxruntime (PyPI), for e2e/export.test.mjs: reads
{"runs": [{"model": PATH, "x": [[...], ...]}, ...]} on stdin and prints
{"outputs": [[[...], ...], ...], "version": ...} on stdout. onnxruntime's
checker also validates each file as it loads it."""
import json
import sys

import numpy as np
import onnxruntime as ort

job = json.load(sys.stdin)
outputs = []
for run in job["runs"]:
    session = ort.InferenceSession(run["model"], providers=["CPUExecutionProvider"])
    (y,) = session.run(["y"], {"x": np.asarray(run["x"], dtype=np.float32)})
    outputs.append(y.tolist())
json.dump({"outputs": outputs, "version": ort.__version__}, sys.stdout)

"""Write src/ember/_torch_api.json: PyTorch's public names per namespace, for ``ember compat`` without torch."""

import json
import pathlib

import torch

from ember.compat import _names_from_torch

out = pathlib.Path(__file__).resolve().parents[1] / "src" / "ember" / "_torch_api.json"
data = {"torch_version": torch.__version__.split("+")[0], "namespaces": _names_from_torch()}
out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
print(out, sum(len(v) for v in data["namespaces"].values()), "names")

"""``ember run`` executes an unchanged PyTorch script on ember."""

import subprocess
import sys
import textwrap


def test_ember_run_aliases_torch(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        import torch
        from torch import autograd
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        print(type(x).__module__, x.grad.tolist(), sys.argv[1:])
    """)
    )
    out = subprocess.run(
        [sys.executable, "-m", "ember.cli", "run", str(script), "a", "b"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "ember._tensor [2.0, 4.0] ['a', 'b']"

"""ember.compat: torch aliases, missing-API errors, coverage from the shipped name list."""

import subprocess
import sys
import textwrap

from ember import compat


def test_aliases_and_missing_names_in_process():
    code = textwrap.dedent("""
        import ember, ember.compat as c
        c.install()
        import torch, torch.nn, torch.nn.functional as F
        from torch.serialization import load
        assert torch is ember and torch.nn.Module is ember.nn.Module and F is ember.nn.functional
        assert not hasattr(torch, "some_missing_fn")
        try:
            torch.fft.rfft2
        except NotImplementedError as e:
            assert isinstance(e, AttributeError)
            assert str(e) == "ember does not implement torch.fft.rfft2 yet", str(e)
        import torch.distributions as D
        try:
            D.Normal
            raise SystemExit("no error")
        except AttributeError as e:
            assert "torch.distributions.Normal" in str(e)
        assert "torch.some_missing_fn" in c.MISSING
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_not_active_without_install():
    r = subprocess.run(
        [sys.executable, "-c", "import ember; print(hasattr(ember, 'nope'))"], capture_output=True, text=True
    )
    assert r.stdout.strip() == "False"


def test_coverage_shipped_list():
    source, rows = compat.coverage(use_torch=False)
    assert "shipped" in source
    by = {r[0]: r for r in rows}
    assert by["torch.nn"][2] > 100 and by["torch.nn"][1] > 0
    assert "Module" not in by["torch.nn"][3]
    assert by["torch.distributions"][1] == 0 or "Normal" not in by["torch.distributions"][3]

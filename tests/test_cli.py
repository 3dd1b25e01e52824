"""``ember run`` executes unchanged PyTorch programs on ember with the same output as under PyTorch."""

import pathlib
import subprocess
import sys
import textwrap

import pytest

PROGRAMS = pathlib.Path(__file__).parent / "programs"


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("prog", ["tensors_autograd", "train_mlp", "conv_sched"])
def test_program_output_matches_pytorch(prog):
    path = str(PROGRAMS / f"{prog}.py")
    want = _run(path)
    got = _run("-m", "ember", "run", path)
    assert want.returncode == 0, want.stderr
    assert got.returncode == 0, got.stderr
    assert got.stdout == want.stdout


def test_argv_main_exit_code_sys_path_and_traceback(tmp_path):
    (tmp_path / "helper_mod.py").write_text("VALUE = 7\n")
    (tmp_path / "prog.py").write_text(
        textwrap.dedent("""
        import sys
        import torch
        import helper_mod
        print(__name__, sys.argv, helper_mod.VALUE, torch.nn.Module.__module__.split('.')[0])
        if sys.argv[1] == "fail":
            raise ValueError("boom")
        sys.exit(int(sys.argv[1]))
    """)
    )
    r = _run("-m", "ember.cli", "run", str(tmp_path / "prog.py"), "5")
    assert r.returncode == 5
    assert r.stdout.split()[0] == "__main__" and "7" in r.stdout and "ember" in r.stdout
    r = _run("-m", "ember", "run", str(tmp_path / "prog.py"), "fail")
    assert r.returncode == 1
    assert "Traceback (most recent call last)" in r.stderr and "ValueError: boom" in r.stderr
    assert 'prog.py", line 7' in r.stderr and "cli.py" not in r.stderr


def test_run_module(tmp_path):
    (tmp_path / "mymod.py").write_text("import sys, torch\nprint(__name__, sys.argv[1:], torch.Tensor.__name__)\n")
    r = _run("-m", "ember", "run", "-m", "mymod", "x", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "__main__ ['x'] Tensor"


def test_missing_api_error_and_report():
    r = _run("-m", "ember", "run", "--report", str(PROGRAMS / "missing_api.py"))
    assert r.returncode == 3
    assert r.stdout.splitlines() == ["start", "caught: ember does not implement torch.some_missing_fn yet", "False"]
    assert "torch.some_missing_fn" in r.stderr and "torch.distributions.Normal" in r.stderr


def test_compat_command():
    r = _run("-m", "ember", "compat", "--shipped")
    assert r.returncode == 0, r.stderr
    for ns in ("torch.nn.functional", "torch.optim.lr_scheduler", "Tensor methods", "torch.distributions"):
        assert ns in r.stdout
    assert "missing in torch.distributions" in r.stdout


def test_loads_a_file_written_by_pytorch(tmp_path):
    ckpt = tmp_path / "t.pt"
    r = _run("-c", f"import torch; torch.save({{'w': torch.arange(6.0).reshape(2, 3)}}, {str(ckpt)!r})")
    assert r.returncode == 0, r.stderr
    (tmp_path / "ld.py").write_text(
        f"import torch\nd = torch.load({str(ckpt)!r})\nprint(type(d['w']).__module__, d['w'].sum().item())\n"
    )
    r = _run("-m", "ember", "run", str(tmp_path / "ld.py"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ember._tensor 15.0"

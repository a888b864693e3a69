"""The core stays light: importing it pulls in no Jupyter, plotting or data-frame library."""

import subprocess
import sys


def test_import_cqvol_sim_imports_no_heavy_module():
    code = ("import sys, cqvol_sim; "
            "print(','.join(m for m in ('matplotlib', 'ipywidgets', 'pandas', 'IPython', 'networkx', 'tqdm') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_public_api_names():
    import cqvol_sim

    for name in ("Sandbox", "Grade", "Right", "Kind", "RuleViolation", "StorageError"):
        assert hasattr(cqvol_sim, name), name

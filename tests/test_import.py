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


def test_the_public_names_are_there_when_asked_for_and_a_wrong_one_is_an_attribute_error():
    code = ("import sys, cqvol_sim; before = 'cqvol_sim.sandbox' in sys.modules; "
            "from cqvol_sim import *; import cqvol_sim.sandbox as s; "
            "print(before, Sandbox is s.Sandbox, sorted(set(cqvol_sim.__all__) - set(dir(cqvol_sim))))\n"
            "try:\n    cqvol_sim.Sandbx\nexcept AttributeError as e:\n    print('Sandbx' in str(e))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "[]", "True"]


def test_a_room_server_loads_nothing_of_the_simulator():
    """Every room server runs ``python -m cqvol_sim.room.server``; the simulator is its page kernels' job."""
    code = ("import sys, cqvol_sim.room.server; "
            "print(sorted(m for m in sys.modules if m.startswith('cqvol_sim')), 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "['cqvol_sim', 'cqvol_sim.room', 'cqvol_sim.room.server'] False"

"""The domain core imports nothing but the standard library."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run without site-packages (-S) so nothing but kpiokr and what it imports gets loaded.
PROBE = """
import json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import kpiokr
names = [m.name for m in pkgutil.walk_packages(kpiokr.__path__, "kpiokr.")]
for name in names:
    __import__(name)
print(json.dumps({"submodules": names, "loaded": sorted(sys.modules)}))
"""


def test_importing_every_kpiokr_module_loads_only_the_standard_library():
    result = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, str(ROOT)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, f"kpiokr needs more than the standard library:\n{result.stderr}"
    report = json.loads(result.stdout)
    assert "kpiokr.calculators.velocity" in report["submodules"]
    foreign = [
        name
        for name in report["loaded"]
        if name.partition(".")[0] not in sys.stdlib_module_names | {"kpiokr", "__main__"}
    ]
    assert foreign == []

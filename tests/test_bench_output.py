"""A bench prints its figures only: bench/fleet_bytes.py used to put one Werkzeug
access line per request (152 of them) among its figures."""
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "fleet_bytes.py"
ACCESS_LINE = re.compile(r'"(GET|POST) /\S* HTTP/1\.[01]" \d{3}')


def test_fleet_bytes_prints_its_figures_only(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    assert not ACCESS_LINE.search(done.stdout) and re.search(r"\d", done.stdout)

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


def test_search_throughput_prints_its_figures_and_finds_both_needles(tmp_path):
    """bench/search_throughput.py on a small log (its real-Paperclip leg left out):
    the in-process legs assert that search and grep both count two matches."""
    import os
    env = {k: v for k, v in os.environ.items() if k != "OPSWEB_REAL_PAPERCLIP_URL"}
    bench = BENCH.parent / "search_throughput.py"
    done = subprocess.run([sys.executable, str(bench), "--mb", "3", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    assert re.search(r"ratio search / grep: +\d", done.stdout)
    assert re.search(r"first answer of the page .* \d+ ms \(1 match", done.stdout)
    assert not ACCESS_LINE.search(done.stdout)

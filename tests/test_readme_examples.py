"""The README's curl examples, run as written against a demo-backed panel: the jq
lines give $CID $RUN $AGENT $C $E, then every curl line must answer 2xx with content."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "__HTTP__"
# curl as the examples call it, plus the status and the body's size after the body
WRAPPER = f"curl() {{ command curl --max-time 30 \"$@\" -w '\\n{MARK} %{{http_code}} %{{size_download}}'; }}\n"


def examples() -> list[str]:
    """The lines of the fenced block that starts with P=… in the routes section."""
    section = README.read_text().split("## Routes and their JSON twins", 1)[1]
    block = re.search(r"```bash\n(P=.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def bash(script: str, env: dict, cwd: Path) -> str:
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (script, done.stderr)
    return done.stdout


@pytest.fixture
def tools():
    missing = [t for t in ("curl", "jq") if not shutil.which(t)]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"the README examples need {' and '.join(missing)} (scripts/install-test-tools)")
    assert not missing, f"CI needs {missing}: scripts/install-test-tools installs them"


def test_every_readme_curl_example_answers_on_the_demo(panel, tools, tmp_path):
    lines = examples()
    assert lines[0].startswith("P=")
    env = {**os.environ, "P": panel.url}
    values = {}
    for line in lines[1:]:
        assigned = re.match(r"([A-Z]+)=\$\(", line)
        if assigned:
            name = assigned.group(1)
            values[name] = bash(f"{name}={line[len(name) + 1:]}\nprintf %s \"${name}\"",
                                {**env, **values}, tmp_path)
            assert values[name] and values[name] != "null", (line, values[name])
    assert set(values) == {"CID", "RUN", "AGENT", "C", "E", "F", "T"}

    curls = [line for line in lines if line.startswith("curl ")]
    assert len(curls) >= 10
    for line in curls:
        out = bash(WRAPPER + line, {**env, **values}, tmp_path)
        body, _, trailer = out.rpartition(MARK)
        status, size = (int(v) for v in trailer.split())
        assert 200 <= status < 300 and size > 0, (line, status, body[:300])
        if re.search(r"/api/operations/agents[\s?\"]", line + " "):  # the fleet, not one agent
            assert json.loads(body)["runs"], line  # the filter example too
    assert any(f.stat().st_size for f in tmp_path.iterdir())  # the -OJ download

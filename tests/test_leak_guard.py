"""leak_guard.py must catch every way of reaching past the port, and every direct
process kill in the product code — and stay quiet on the real tree."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import leak_guard  # noqa: E402


def plant(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "opsweb").mkdir(exist_ok=True)
    (tmp_path / "opsweb" / "__init__.py").touch()
    return leak_guard.scan(tmp_path)


def test_the_real_tree_is_clean():
    result = subprocess.run([sys.executable, str(ROOT / "leak_guard.py")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "the seam holds" in result.stdout


@pytest.mark.parametrize("code", [
    "import opsweb.paperclip_shell\n",
    "import opsweb.paperclip_shell as s\n",
    "from opsweb import paperclip_shell\n",
    "from opsweb.paperclip_shell import PaperclipShell\n",
    "from . import paperclip_shell\n",
    "from .paperclip_shell import PaperclipShell\n",
    "import importlib\nimportlib.import_module('opsweb.paperclip_shell')\n",
    "from importlib import import_module\nimport_module('.paperclip_shell', 'opsweb')\n",
    "__import__('opsweb.paperclip_shell')\n",
])
def test_any_import_of_the_shell_outside_the_port_fails(tmp_path, code):
    problems = plant(tmp_path, {"opsweb/web/views.py": code})
    assert problems and all("opsweb/web/views.py" in p for p in problems)
    assert "only opsweb/platform_port.py" in problems[0]


def test_the_port_may_import_the_shell(tmp_path):
    assert plant(tmp_path, {"opsweb/platform_port.py": "from opsweb import paperclip_shell\n"}) == []


def test_tests_may_not_import_the_shell_either(tmp_path):
    assert plant(tmp_path, {"tests/test_x.py": "from opsweb.paperclip_shell import check_uuid\n"})


@pytest.mark.parametrize("code", [
    "import os\nos.kill(123, 9)\n",
    "import os\nos.killpg(123, 15)\n",
    "from os import kill\nkill(1, 9)\n",
    "import os as o\no.kill(1, 9)\n",
    "import signal\nsignal.pthread_kill(1, 9)\n",
    "import psutil\npsutil.Process(1).kill()\n",
    "import psutil\npsutil.Process(1).terminate()\n",
    "import subprocess\nsubprocess.run(['kill', '-9', '1'])\n",
    "import subprocess\nsubprocess.run('pkill -f claude', shell=True)\n",
    "def stop(run, sig):\n    send(run['processPid'], sig)\n",
    "def stop(run, sig):\n    send(run.process_pid, sig)\n",
])
def test_direct_process_kills_in_the_product_fail(tmp_path, code):
    problems = plant(tmp_path, {"opsweb/actions/perform.py": code})
    assert problems, code
    assert all(p.startswith("opsweb/actions/perform.py:") for p in problems)


def test_mentions_in_comments_and_strings_pass(tmp_path):
    code = ('# never os.kill(pid) here\n'
            'HELP = "Stop uses Paperclip, not os.kill or paperclip_shell"\n')
    assert plant(tmp_path, {"opsweb/web/views.py": code}) == []


def test_tests_may_stop_the_servers_they_started(tmp_path):
    code = "import subprocess\np = subprocess.Popen(['sleep', '1'])\np.terminate()\n"
    assert plant(tmp_path, {"tests/conftest.py": code}) == []


def test_exit_status_and_report(tmp_path):
    plant(tmp_path, {"opsweb/web/views.py": "import os\nos.kill(1, 9)\n"})
    result = subprocess.run([sys.executable, str(ROOT / "leak_guard.py"), str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "opsweb/web/views.py:2" in result.stdout


# -- the layers (issue 19): each rule fails on a planted violation ---------------------
@pytest.mark.parametrize("rel, code, says", [
    ("opsweb/fleet/live.py", "from opsweb.web import csrf\n", "nothing below web/ imports web/"),
    ("opsweb/actions/perform.py", "from opsweb import web\n", "nothing below web/ imports web/"),
    ("opsweb/runtime/clock.py", "from ..web.views import common\n", "nothing below web/ imports web/"),
    ("opsweb/watch/rules.py", "from flask import request\n", "nothing below web/ reads Flask's request"),
    ("opsweb/i18n/said.py", "from flask import g\n", "nothing below web/ reads Flask's request"),
    ("opsweb/platform_port.py", "import flask\n", "nothing below web/ reads Flask's request"),
    ("opsweb/transcript/entry.py", "from opsweb import platform_port as port\n",
     "transcript/ imports neither the port nor Flask"),
    ("opsweb/transcript/entry.py", "from flask import Markup\n", "transcript/ imports neither the port nor Flask"),
    ("opsweb/pictures/strip.py", "import socket\n", "pictures/ does no I/O"),
    ("opsweb/transcript/entry.py", "import subprocess\n", "transcript/ does no I/O"),
    ("opsweb/transcript/entry.py", "data = open('/etc/passwd').read()\n", "calls open(): transcript/ does no I/O"),
    ("opsweb/fleet/live.py", "import requests\n", "fleet/ reaches Paperclip only through the port"),
    ("opsweb/actions/perform.py", "from urllib.request import urlopen\n",
     "actions/ reaches Paperclip only through the port"),
    ("opsweb/watch/loop.py", "import http.client\n", "watch/ reaches Paperclip only through the port"),
    ("opsweb/web/views/panel.py", "from opsweb.demo import world\n", "only the CLI's demo command may"),
    ("opsweb/cli.py", "from opsweb.demo.runner import DemoServer\n", "only the CLI's demo command may"),
    ("opsweb/fleet/live.py", "x = 1\n" * 301, "301 lines: a module outside demo/ stays within 300"),
])
def test_a_planted_layer_violation_is_named_with_its_file_line_and_rule(tmp_path, rel, code, says):
    problems = plant(tmp_path, {rel: code})
    assert problems, f"{rel}: {code!r} passed the guard"
    assert any(p.startswith(f"{rel}:") and says in p for p in problems), problems


@pytest.mark.parametrize("rel, code", [
    ("opsweb/cli.py", "def cmd_demo():\n    from opsweb.demo.runner import DemoServer\n"),
    ("opsweb/demo/server.py", "import socket\nfrom opsweb.web import csrf\n" + "x = 1\n" * 400),
    ("opsweb/web/views/panel.py", "from flask import request\nimport requests\n"),
    ("opsweb/notify/webhook.py", "import requests\n"),
    ("opsweb/fleet/live.py", "from urllib.parse import urlsplit\n"),
    ("opsweb/i18n/language.py", "from flask import request\n"),
])
def test_what_a_layer_may_do_passes(tmp_path, rel, code):
    assert plant(tmp_path, {rel: code}) == []

"""The command line: `opsweb check` tells an operator what works, `--help` lists
every setting."""
import io
import subprocess
import sys

from opsweb.check import run_check
from opsweb.demo.runner import DemoServer
from opsweb.settings import SETTINGS, from_env


def check(url, **config):
    out = io.StringIO()
    status = run_check({**from_env({}), "OPSWEB_PAPERCLIP_URL": url, **config}, out)
    return status, out.getvalue()


def test_check_reports_version_mode_companies_and_board_access(demo):
    status, text = check(demo.url)
    assert status == 0, text
    assert "Paperclip 2026.916.1" in text and "local_trusted" in text
    assert "board access (Stop and Reset allowed)" in text
    assert "Acme Ops" in text and "Globex Research" in text
    assert text.strip().endswith("all good")


def test_check_fails_clearly_without_paperclip():
    status, text = check("http://127.0.0.1:9")
    assert status == 1 and "unreachable" in text


def test_check_fails_on_a_wrong_key():
    with DemoServer(port=0, token="pcp_board_right", autoplay=False) as paperclip:
        status, text = check(paperclip.url, OPSWEB_PAPERCLIP_TOKEN="pcp_board_wrong")
    assert status == 1
    assert "FAIL no board access" in text and "401" in text


def test_check_names_a_failing_company(demo):
    demo.control("POST", "/faults", companyId="c0ffee02-0000-4000-8000-000000000002", mode="403")
    status, text = check(demo.url)
    assert status == 1
    assert "FAIL company c0ffee02-0000-4000-8000-000000000002" in text and "403" in text


def test_serve_help_lists_every_setting_with_its_default():
    out = subprocess.run([sys.executable, "-m", "opsweb.cli", "serve", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for s in SETTINGS:
        assert s.env in out
    assert "default: 127.0.0.1" in out and "default: 8700" in out


def test_the_readme_table_lists_every_setting():
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme[readme.index("## Settings"):readme.index("## Routes")]
    for s in SETTINGS:
        assert f"`{s.env}`" in table, s.env

"""Every setting is checked when opsweb starts: a malformed one is one line naming it
and what it accepts, exit 2, never a traceback. The many malformed values go through
`opsweb.cli.main` in this process (the same parsing and checks, without starting a
Python for each: that was most of this file's time); the real command runs as a
subprocess for one bad flag, one bad environment setting, the help and the taken ports."""
import os
import socket
from dataclasses import dataclass

import pytest

from cli_process import opsweb_env, run
from opsweb.cli import main


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    """`opsweb ARGS` in-process, with only the given OPSWEB_ settings in the environment."""
    def call(*args: str, **env: str) -> Done:
        for name in [k for k in os.environ if k.startswith("OPSWEB_")]:
            monkeypatch.delenv(name)
        for name, value in {"OPSWEB_INSTANCE_DIR": str(tmp_path), **env}.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse's --help and --version
            code = exit.code
        out, err = capsys.readouterr()
        return Done(code, out, err)
    return call


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "3s", "abc", "inf", "1_000", "٣"])
def test_a_bad_timeout_flag_is_one_line_and_exit_2(cli, value):
    done = cli("serve", "--timeout", value)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "OPSWEB_TIMEOUT (--timeout)" in line and "number above 0" in line
    assert repr(value) in line and done.stdout == ""


@pytest.mark.parametrize("env, named, accepts", [
    ({"OPSWEB_TIMEOUT": "3s"}, "OPSWEB_TIMEOUT", "number above 0"),
    ({"OPSWEB_PORT": "abc"}, "OPSWEB_PORT", "port number from 0 to 65535"),
    ({"OPSWEB_PORT": "70000"}, "OPSWEB_PORT", "port number from 0 to 65535"),
    ({"OPSWEB_THREADS": "abc"}, "OPSWEB_THREADS", "whole number of threads"),
    ({"OPSWEB_ACTION_TIMEOUT": "-5"}, "OPSWEB_ACTION_TIMEOUT", "number above 0"),
    ({"OPSWEB_SESSION_HOURS": "twelve"}, "OPSWEB_SESSION_HOURS", "number above 0"),
    ({"OPSWEB_LOG_LEVEL": "loud"}, "OPSWEB_LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR"),
    ({"OPSWEB_ACCESS_LOG": "maybe"}, "OPSWEB_ACCESS_LOG", "1 or 0"),
])
def test_a_bad_environment_setting_is_one_line_and_exit_2(cli, env, named, accepts):
    for command in ("serve", "demo", "check"):
        done = cli(command, **env)
        assert done.returncode == 2, (command, done.stderr)
        line = one_line(done.stderr)
        assert line.startswith(f"opsweb: {named}") and accepts in line, line


@pytest.mark.parametrize("args, env, named", [
    (["serve", "--timeout", "3s"], {}, "OPSWEB_TIMEOUT (--timeout)"),
    (["demo"], {"OPSWEB_PORT": "abc"}, "OPSWEB_PORT"),
])
def test_the_real_command_says_it_in_one_line_and_exits_2(tmp_path, args, env, named):
    done = run(*args, env=opsweb_env(tmp_path, **env))
    assert done.returncode == 2 and done.stdout == ""
    assert one_line(done.stderr).startswith(f"opsweb: {named}")


@pytest.mark.parametrize("url, advice", [
    ("http://127.0.0.1:3100/api", "drop /api"),
    ("http://127.0.0.1:3100/api/", "drop /api"),
    ("127.0.0.1:3100", "add http://"),
])
def test_check_says_what_to_do_with_a_wrong_paperclip_url(cli, url, advice):
    done = cli("check", "--paperclip-url", url)
    assert done.returncode == 2
    assert "OPSWEB_PAPERCLIP_URL (--paperclip-url)" in one_line(done.stderr)
    assert advice in done.stderr


def test_opsweb_alone_prints_the_help(tmp_path):
    done = run(env=opsweb_env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.startswith("usage: opsweb") and "serve" in done.stdout


def test_version(cli):
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == "opsweb 0.1.0"


def test_help_names_flag_values_not_environment_variables(cli):
    out = cli("serve", "--help").stdout
    assert "--port PORT" in out and "--timeout TIMEOUT" in out and "--threads THREADS" in out
    assert "--port OPSWEB_PORT" not in out
    assert "--demo-port DEMO_PORT" in cli("demo", "--help").stdout


@pytest.mark.parametrize("args", [["serve", "--port", "{port}"], ["demo", "--port", "{port}"],
                                  ["demo", "--port", "0", "--demo-port", "{port}"]])
def test_a_taken_port_is_one_line_and_a_non_zero_exit(tmp_path, args):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = [a.format(port=port) for a in args]
        done = run(*argv, env=opsweb_env(tmp_path), timeout=30)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert f"cannot listen on 127.0.0.1:{port}" in line and "in use" in line
    assert "panel on" not in done.stdout and "open http" not in done.stdout

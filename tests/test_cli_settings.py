"""Every setting is checked when opsweb starts: a malformed one is one line naming it
and what it accepts, exit 2, never a traceback. The CLI runs as a subprocess."""
import socket

import pytest

from cli_process import opsweb_env, run


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "3s", "abc", "inf", "1_000", "٣"])
def test_a_bad_timeout_flag_is_one_line_and_exit_2(tmp_path, value):
    done = run("serve", "--timeout", value, env=opsweb_env(tmp_path))
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
def test_a_bad_environment_setting_is_one_line_and_exit_2(tmp_path, env, named, accepts):
    for command in ("serve", "demo", "check"):
        done = run(command, env=opsweb_env(tmp_path, **env))
        assert done.returncode == 2, (command, done.stderr)
        line = one_line(done.stderr)
        assert line.startswith(f"opsweb: {named}") and accepts in line, line


@pytest.mark.parametrize("url, advice", [
    ("http://127.0.0.1:3100/api", "drop /api"),
    ("http://127.0.0.1:3100/api/", "drop /api"),
    ("127.0.0.1:3100", "add http://"),
])
def test_check_says_what_to_do_with_a_wrong_paperclip_url(tmp_path, url, advice):
    done = run("check", "--paperclip-url", url, env=opsweb_env(tmp_path))
    assert done.returncode == 2
    assert "OPSWEB_PAPERCLIP_URL (--paperclip-url)" in one_line(done.stderr)
    assert advice in done.stderr


def test_opsweb_alone_prints_the_help(tmp_path):
    done = run(env=opsweb_env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.startswith("usage: opsweb") and "serve" in done.stdout


def test_version(tmp_path):
    done = run("--version", env=opsweb_env(tmp_path))
    assert done.returncode == 0 and done.stdout.strip() == "opsweb 0.1.0"


def test_help_names_flag_values_not_environment_variables(tmp_path):
    out = run("serve", "--help", env=opsweb_env(tmp_path)).stdout
    assert "--port PORT" in out and "--timeout TIMEOUT" in out and "--threads THREADS" in out
    assert "--port OPSWEB_PORT" not in out
    assert "--demo-port DEMO_PORT" in run("demo", "--help", env=opsweb_env(tmp_path)).stdout


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

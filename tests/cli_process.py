"""`opsweb …` run as a user runs it: a subprocess with its own environment, its
output captured in files the tests read."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

STARTUP_SECONDS = 30


def opsweb_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No OPSWEB_ setting leaks in from the caller; the instance folder is `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSWEB_")}
    return {**env, "OPSWEB_INSTANCE_DIR": str(tmp), **extra}


def run(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opsweb.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


class Running:
    """A long-running `opsweb serve` or `opsweb demo`, stopped by `stop()`."""

    def __init__(self, tmp: Path, *args: str, env: dict[str, str]):
        self.url = ""
        self.out_path, self.err_path = tmp / "stdout.txt", tmp / "stderr.txt"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "opsweb.cli", *args, "--port", "0"],
                env=env, stdout=out, stderr=err)

    def wait_ready(self) -> "Running":
        """Until opsweb prints the address it bound (port 0: a free one) and answers
        there; the process is polled, not slept on for a fixed time."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"opsweb exited {self.proc.returncode}: {self.stderr()}")
            said = re.search(r"(?:panel on|open) (http://\S+)/operations", self.stdout())
            if said:
                self.url = said.group(1)
                requests.get(self.url + "/operations", timeout=5)  # it answers
                return self
            time.sleep(0.1)
        raise AssertionError(f"opsweb did not start in {STARTUP_SECONDS} s: {self.stderr()}")

    def stdout(self) -> str:
        return self.out_path.read_text()

    def stderr(self) -> str:
        return self.err_path.read_text()

    def demo_url(self) -> str:
        """The demo Paperclip's URL, as `opsweb demo` prints it."""
        return re.search(r"demo server at (http://\S+)", self.stdout()).group(1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def served_on_demo(tmp: Path):
    """`opsweb serve` (the production server) on a fresh demo Paperclip with its own audit
    file: what a module's fixture yields as (running, demo), and stops after."""
    from opsweb.demo.runner import DemoServer
    demo = DemoServer(port=0, autoplay=False).start()
    env = opsweb_env(tmp, OPSWEB_PAPERCLIP_URL=demo.url, OPSWEB_AUDIT_URL=f"sqlite:///{tmp}/a.db")
    running = Running(tmp, "serve", env=env).wait_ready()
    yield running, demo
    running.stop()
    demo.stop()


#!/usr/bin/env python3
"""Guards opsweb's seam and its promise never to kill a process itself.

1. Only opsweb/platform_port.py may import opsweb/paperclip_shell.py, in any form:
   `import`, `from … import`, relative imports, `importlib.import_module(…)`,
   `__import__(…)`. Everything else goes through the port, so the platform can be
   swapped by rewriting two files.
2. The product code (opsweb/) never signals a process: no os.kill/os.killpg,
   signal.pthread_kill, psutil/subprocess `.kill()`/`.terminate()`/`.send_signal()`,
   no `kill`/`pkill` commands, nothing fed a run's `process_pid`/`processPid`.
   Stop is Paperclip's cancel, which honours its watchdog and checkpoints. Tests,
   benches and scripts may stop the servers they started themselves.
3. The layers of opsweb/ keep their direction (LAYER_RULES below): nothing below web/
   imports web/ or Flask's request globals; transcript/ and pictures/ do no I/O and
   import neither the port nor Flask; fleet/, actions/ and watch/ reach Paperclip only
   through the port; demo/ is imported only by the CLI's `demo` command; and no module
   outside demo/ grows past MAX_LINES lines.

Static (AST), not grep: comments and strings that merely mention these names pass.
Usage: python leak_guard.py [ROOT]; exit status 1 and one line per finding.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

SHELL = "paperclip_shell"
PORT = Path("opsweb/platform_port.py")
SHELL_FILE = Path("opsweb/paperclip_shell.py")
PRODUCT = Path("opsweb")
SKIP_DIRS = {".venv", "venv", "node_modules", ".git", "build", "__pycache__", ".tox"}
KILL_FUNCS = {("os", "kill"), ("os", "killpg"), ("signal", "pthread_kill")}
KILL_METHODS = {"kill", "terminate", "send_signal", "killpg", "pthread_kill"}
KILL_COMMANDS = {"kill", "pkill", "killall", "skill"}
PID_NAMES = {"process_pid", "processPid", "processGroupId", "process_group_id"}


def _names_shell(module: str | None) -> bool:
    return bool(module) and SHELL in module.split(".")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


class _Visitor(ast.NodeVisitor):
    def __init__(self, check_seam: bool, check_kill: bool):
        self.check_seam, self.check_kill = check_seam, check_kill
        self.findings: list[tuple[int, str]] = []
        self.aliases: dict[str, str] = {}  # local name -> "os.kill" etc.

    def _add(self, node: ast.AST, why: str) -> None:
        self.findings.append((getattr(node, "lineno", 0), why))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if self.check_seam and _names_shell(alias.name):
                self._add(node, f"imports {alias.name}: only {PORT} may import the shell")
            self.aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if self.check_seam and (_names_shell(node.module) or alias.name == SHELL):
                where = "." * node.level + (node.module or "")
                self._add(node, f"imports {alias.name} from {where}: only {PORT}"
                                " may import the shell")
            self.aliases[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}"
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        resolved = self._resolve(name)
        if self.check_seam and resolved.split(".")[-1] in ("import_module", "__import__"):
            if any(isinstance(a, ast.Constant) and isinstance(a.value, str) and SHELL in a.value
                   for a in node.args):
                self._add(node, f"loads the shell dynamically via {name}(): only {PORT}"
                                " may import it")
        if self.check_kill:
            self._check_kill(node, name, resolved)
        self.generic_visit(node)

    def _resolve(self, name: str) -> str:
        head, _, rest = name.partition(".")
        base = self.aliases.get(head, head)
        return f"{base}.{rest}" if rest else base

    def _check_kill(self, node: ast.Call, name: str, resolved: str) -> None:
        parts = tuple(resolved.split("."))
        if parts[-2:] in KILL_FUNCS or resolved in ("kill", "killpg"):
            self._add(node, f"calls {name}(): stop runs through Paperclip's cancel")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in KILL_METHODS:
            self._add(node, f"calls .{node.func.attr}() on a process: stop runs through"
                            " Paperclip's cancel")
        for arg in list(node.args) + [k.value for k in node.keywords]:
            if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts:
                first = arg.elts[0]
                if isinstance(first, ast.Constant) and str(first.value) in KILL_COMMANDS:
                    self._add(node, f"runs the {first.value!r} command")
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and \
                    arg.value.split(" ")[0] in KILL_COMMANDS:
                self._add(node, f"runs the {arg.value.split(' ')[0]!r} command")
            for sub in ast.walk(arg):
                if isinstance(sub, ast.Name) and sub.id in PID_NAMES or \
                        isinstance(sub, ast.Attribute) and sub.attr in PID_NAMES or \
                        isinstance(sub, ast.Constant) and sub.value in PID_NAMES:
                    self._add(node, f"feeds a run's process id to {name or 'a call'}():"
                                    " opsweb never signals processes")
                    break


# -- layers ------------------------------------------------------------------------
MAX_LINES = 300
BELOW_WEB = {"fleet", "actions", "transcript", "runtime", "watch", "notify", "pictures",
             "platform_port", "paperclip_shell", "platform_errors"}
PURE_I18N = {"said", "words", "timefmt"}   # i18n/language.py installs Flask-Babel: web-side
PURE = {"transcript", "pictures"}
THROUGH_PORT = {"fleet", "actions", "watch"}
REQUEST_GLOBALS = {"request", "session", "g", "current_app"}
IO_MODULES = {"requests", "urllib", "urllib3", "http", "socket", "ssl", "subprocess", "sqlite3",
              "psycopg", "shutil", "asyncio", "selectors", "smtplib", "ftplib", "os", "io",
              "pathlib", "tempfile"}
NETWORK_MODULES = {"requests", "urllib", "urllib3", "http", "socket", "ssl", "aiohttp", "httpx"}


def _layer(rel: Path) -> str:
    """The room a product file is in: its folder under opsweb/, or its own name at the top."""
    if len(rel.parts) > 2:
        return rel.parts[1] if rel.parts[1] != "i18n" or rel.stem not in PURE_I18N else "i18n-pure"
    return rel.stem


def _imports(tree: ast.AST, rel: Path):
    """(line, absolute module, imported name or None, inside a function?) for every import,
    relative ones resolved against the file's package."""
    package = list(rel.with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, node
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                yield node.lineno, base, alias.name, node


def check_layers(rel: Path, tree: ast.AST, lines: int) -> list[tuple[int, str]]:
    layer, found = _layer(rel), []
    if layer == "demo":
        return found
    if lines > MAX_LINES:
        found.append((1, f"{lines} lines: a module outside demo/ stays within {MAX_LINES}"
                         " (split it along its seams)"))
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f)}
    for line, module, name, node in _imports(tree, rel):
        full = f"{module}.{name}" if name else module
        # urllib.parse only splits strings
        top = "" if module.startswith("urllib.parse") else module.split(".")[0]
        if (full.startswith("opsweb.demo") or module == "opsweb" and name == "demo") and not (
                rel == Path("opsweb/cli.py") and id(node) in in_function):
            found.append((line, "imports opsweb.demo: only the CLI's demo command may"))
        if layer in BELOW_WEB or layer == "i18n-pure":
            if full.startswith("opsweb.web") or module == "opsweb" and name == "web":
                found.append((line, f"imports {full}: nothing below web/ imports web/"))
            if top == "flask" and (name in REQUEST_GLOBALS or name is None):
                found.append((line, f"imports {full}: nothing below web/ reads Flask's request"))
        if layer in PURE:
            if top in ("flask", "flask_babel", "werkzeug") or full.startswith(
                    ("opsweb.platform_port", "opsweb.paperclip_shell")) or \
                    module == "opsweb" and name in ("platform_port", "paperclip_shell"):
                found.append((line, f"imports {full}: {layer}/ imports neither the port nor Flask"))
            if top in IO_MODULES:
                found.append((line, f"imports {full}: {layer}/ does no I/O"))
        if layer in THROUGH_PORT and top in NETWORK_MODULES:
            found.append((line, f"imports {full}: {layer}/ reaches Paperclip only through the port"))
    if layer in PURE:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                found.append((node.lineno, f"calls open(): {layer}/ does no I/O"))
    return found


def scan(root: Path) -> list[str]:
    root = root.resolve()
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if SKIP_DIRS & set(rel.parts[:-1]):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
        except (SyntaxError, UnicodeDecodeError) as err:
            problems.append(f"{rel}: cannot be parsed ({err.__class__.__name__}); the guard"
                            " cannot vouch for it")
            continue
        visitor = _Visitor(check_seam=rel not in (PORT, SHELL_FILE),
                           check_kill=rel.parts[0] == PRODUCT.name)
        visitor.visit(tree)
        problems += [f"{rel}:{line}: {why}" for line, why in visitor.findings]
        if rel.parts[0] == PRODUCT.name:
            text = path.read_text(encoding="utf-8")
            problems += [f"{rel}:{line}: {why}"
                         for line, why in check_layers(rel, tree, text.count("\n"))]
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent
    problems = scan(root)
    for line in problems:
        print(line)
    if problems:
        print(f"leak_guard: {len(problems)} problem(s)")
        return 1
    print("leak_guard: the seam holds, the layers keep their direction and nothing kills"
          " a process directly")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Shared code a service imports, whose third-party imports its resolution does not provide.

The service's own code is what sits under its Dockerfile's folder; modules it imports from
elsewhere in the context (e.g. `shared/`) are followed, and their unguarded imports of
third-party modules are checked against the resolved distributions.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from packaging.utils import canonicalize_name

from dockwright.deps.records import MissingImport, ServiceDeps
from dockwright.model.project import Service

ALIASES = {
    "yaml": "pyyaml", "pil": "pillow", "cv2": "opencv-python", "sklearn": "scikit-learn",
    "dotenv": "python-dotenv", "multipart": "python-multipart", "jose": "python-jose",
    "jwt": "pyjwt", "dateutil": "python-dateutil", "bs4": "beautifulsoup4",
    "magic": "python-magic", "whisper": "openai-whisper", "attr": "attrs",
    "pkg-resources": "setuptools", "crypto": "pycryptodome", "serial": "pyserial",
    "zmq": "pyzmq", "openssl": "pyopenssl", "docx": "python-docx", "google": "protobuf",
}  # fmt: skip
_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception"}


def _imports(tree: ast.AST, guarded: bool = False) -> Iterator[tuple[str, int, bool]]:
    """(module, line, guarded) for every absolute import."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno, guarded) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno, guarded
        elif isinstance(node, ast.Try):
            names = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            inner = guarded or bool(names & _GUARDS) or any(h.type is None for h in node.handlers)
            for child in node.body:
                yield from _imports(ast.Module([child], []), inner)
            for part in (*node.handlers, *node.orelse, *node.finalbody):
                yield from _imports(part, guarded)
        else:
            yield from _imports(node, guarded)


def _parse(path: Path) -> ast.AST | None:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def _modules(service: Service) -> dict[str, Path]:
    """Dotted module name -> file, for every Python file in the context."""
    out: dict[str, Path] = {}
    for path in service.python_sources:
        parts = path.relative_to(service.context).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        for start in range(len(parts)):  # `services/x/pkg/mod.py` is also `pkg.mod`
            out.setdefault(".".join(parts[start:]), path)
    return out


def _provided(deps: ServiceDeps) -> set[str]:
    names = {p.name for p in deps.resolution}
    return names | {n.split("-", 1)[0] for n in names}


def _is_third_party(module: str, provided: set[str], local: dict[str, Path]) -> bool:
    top = module.split(".", 1)[0]
    if top in sys.stdlib_module_names or top in local or top == "__future__":
        return False
    canon = canonicalize_name(top)
    return canon not in provided and ALIASES.get(canon, canon) not in provided


def _walk(service: Service) -> Iterator[tuple[Path, str, int, bool]]:
    """(file, module, line, guarded) of the own files and the local modules they reach.

    Each file is read once, own files first.
    """
    own = service.dockerfile_path.parent
    local = _modules(service)
    todo = [p for p in service.python_sources if p.is_relative_to(own)]
    seen: set[Path] = set(todo)
    while todo:
        path = todo.pop(0)
        tree = _parse(path)
        for module, line, guarded in _imports(tree) if tree is not None else ():
            target = local.get(module) or local.get(module.rsplit(".", 1)[0])
            if target is not None and target not in seen:
                seen.add(target)
                todo.append(target)
            yield path, module, line, guarded


def reached_sources(service: Service) -> tuple[Path, ...]:
    """The service's own Python files and the local modules they import."""
    own = [p for p in service.python_sources if p.is_relative_to(service.dockerfile_path.parent)]
    return tuple(dict.fromkeys([*own, *(path for path, *_ in _walk(service))]))


def missing_imports(service: Service, deps: ServiceDeps) -> list[MissingImport]:
    """Unguarded third-party imports of reached shared modules that the resolution lacks."""
    if not deps.resolution:
        return []
    own = service.dockerfile_path.parent
    local = _modules(service)
    provided = _provided(deps)
    return [
        MissingImport(service.name, module.split(".", 1)[0], path, line)
        for path, module, line, guarded in _walk(service)
        if not path.is_relative_to(own) and not guarded and _is_third_party(module, provided, local)
    ]

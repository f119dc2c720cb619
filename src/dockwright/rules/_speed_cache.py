"""Checks and fixes behind the cache-mount speed rules (DW102-DW104, DW109, DW112)."""

from __future__ import annotations

import re

from dockwright.model.dockerfile import Dockerfile, Instruction
from dockwright.model.findings import Edit, EditKind, Fix
from dockwright.model.shell import Command
from dockwright.rules import _speed_support as sup
from dockwright.rules import patterns

# --- Python package caches (DW102, DW103, DW109, DW112) ------------------------------------


def _downloading_installs(ins: Instruction) -> list[tuple[Command, str]]:
    return [(c, t) for c, t in patterns.dependency_installs(ins) if sup.downloads(c, t)]


def _self_upgrade(cmd: Command, tool: str) -> list[str]:
    """Unpinned pip/setuptools/wheel named in an `--upgrade` install."""
    if not sup.is_pip_like(cmd, tool):
        return []
    args = sup.install_args(cmd, tool)
    if not {"-U", "--upgrade"} & set(args):
        return []
    names = sup.positionals(args)
    return [
        n for n in names if sup.package_name(n) in {"pip", "setuptools", "wheel"} and "==" not in n
    ]


def _only_self_upgrade(cmd: Command, tool: str) -> bool:
    names = sup.positionals(sup.install_args(cmd, tool)) if sup.is_pip_like(cmd, tool) else []
    return bool(names) and len(_self_upgrade(cmd, tool)) == len(names)


def _has_cache(dockerfile: Dockerfile, ins: Instruction, cmd: Command, tool: str) -> bool:
    if sup.tool_mount(ins, tool) is not None:
        return True
    path = sup.cache_dir(dockerfile, ins, cmd, tool)
    return path is not None and sup.covering_mount(ins, path) is not None


def missing_cache_mounts(
    dockerfile: Dockerfile, ins: Instruction, *, every: bool = False
) -> list[tuple[str, str | None]]:
    """(tool, cache dir or None when unknown) for installs of the RUN without a cache mount.

    Installing pip/poetry/uv alone (a rarely rebuilt layer, see DW109) is skipped unless `every`.
    """
    missing: dict[str, str | None] = {}
    installs = _downloading_installs(ins)
    if not every and all(sup.is_bootstrap(c, t) for c, t in installs):
        return []
    for cmd, tool in installs:
        skip = not every and _only_self_upgrade(cmd, tool)
        if tool in missing or skip or _has_cache(dockerfile, ins, cmd, tool):
            continue
        missing[tool] = sup.cache_dir(dockerfile, ins, cmd, tool)
    return list(missing.items())


def unpinned_self_upgrades(dockerfile: Dockerfile, ins: Instruction) -> list[str]:
    """Unpinned `--upgrade pip/setuptools/wheel` words in installs without a pip cache."""
    names: list[str] = []
    for cmd, tool in _downloading_installs(ins):
        if not _has_cache(dockerfile, ins, cmd, tool):
            names += _self_upgrade(cmd, tool)
    return names


def disabling_words_with_mount(dockerfile: Dockerfile, ins: Instruction) -> list[str]:
    """`--no-cache-dir`-like words in installs whose RUN does have a cache mount for the tool."""
    words: list[str] = []
    for cmd, tool in _downloading_installs(ins):
        if _has_cache(dockerfile, ins, cmd, tool):
            words += sup.disables_cache(cmd, tool)
    return list(dict.fromkeys(words))


def _cache_flag(path: str, user: sup.BuildState) -> str | None:
    if user.is_root:
        return f"--mount=type=cache,target={path}"
    uid = user.user.split(":", 1)[0]
    return f"--mount=type=cache,target={path},uid={uid}" if uid.isdigit() else None


def _cache_edit(dockerfile: Dockerfile, ins: Instruction, *, every: bool = False) -> Edit | None:
    """Add the missing cache mounts and drop words that turn the cache off."""
    parts = sup.run_text(dockerfile, ins)
    if parts is None:
        return None
    flags = list(parts.flags)
    state = sup.state_at(dockerfile, ins)
    for _, path in missing_cache_mounts(dockerfile, ins, every=every):
        flag = _cache_flag(path, state) if path else None
        if flag is None:
            return None
        flags.append(flag)
    words = {w for c, t in _downloading_installs(ins) for w in sup.disables_cache(c, t)}
    script: str | None = parts.script
    if words:
        in_install = lambda c: patterns.tool_of(c) is not None  # noqa: E731
        script = (
            None
            if ins.exec_form
            else sup.remove_words(parts.script, words.__contains__, in_install)
        )
    if script is None:
        return None
    return sup.replace_edit(
        dockerfile, ins, sup.RunText(parts.keyword, tuple(flags), script).render()
    )


def cache_mount_fix(dockerfile: Dockerfile, ins: Instruction) -> Fix | None:
    """Fix: cache mounts for every install of the RUN, cache-disabling options removed."""
    edit = _cache_edit(dockerfile, ins)
    return Fix("add a BuildKit cache mount for the package cache", (edit,)) if edit else None


_ENV_TOOLS = {"PIP_NO_CACHE_DIR": {"pip", "pipenv"}, "UV_NO_CACHE": {"uv"}}


def installs_under_env(
    dockerfile: Dockerfile, env: Instruction, name: str, value: str
) -> list[Instruction]:
    """RUNs whose downloading installs run with this cache-disabling ENV setting in effect."""
    if not sup.is_no_cache_setting(name, value):
        return []
    tools = _ENV_TOOLS.get(name, set())
    found = []
    for stage in dockerfile.stages:
        if all(s.index != env.stage_index for s in sup.stage_chain(dockerfile, stage)):
            continue
        for run in stage.of("RUN"):
            if run.line > env.line and any(t in tools for _, t in _downloading_installs(run)):
                found.append(run)
    return found


def _env_edit(dockerfile: Dockerfile, env: Instruction, name: str) -> Edit | None:
    pairs = [(k, v) for k, v in zip(env.value[::2], env.value[1::2], strict=False) if k != name]
    if not pairs:
        return Edit(EditKind.DELETE, dockerfile.path, env.line, env.end_line)
    if "=" not in env.original.split(None, 2)[1]:  # legacy `ENV KEY value` holds one pair
        return None
    keyword = env.original.split(None, 1)[0]
    text = f"{keyword} " + " ".join(f"{k}={v}" for k, v in pairs) + "\n"
    return Edit(EditKind.REPLACE, dockerfile.path, env.line, env.end_line, text)


def env_no_cache_fix(
    dockerfile: Dockerfile, env: Instruction, name: str, runs: list[Instruction]
) -> Fix | None:
    """Fix: drop the ENV setting and give the affected RUNs cache mounts."""
    edits = [_env_edit(dockerfile, env, name)]
    edits += [
        _cache_edit(dockerfile, run, every=True)
        for run in runs
        if _needs_cache_edit(dockerfile, run)
    ]
    if any(e is None for e in edits):
        return None
    return Fix(
        f"remove {name}; cache mounts keep the cache out of the image", tuple(e for e in edits if e)
    )


def _needs_cache_edit(dockerfile: Dockerfile, ins: Instruction) -> bool:
    words = [w for c, t in _downloading_installs(ins) for w in sup.disables_cache(c, t)]
    return bool(missing_cache_mounts(dockerfile, ins, every=True) or words)


def misplaced_cache_mounts(
    dockerfile: Dockerfile, ins: Instruction
) -> list[tuple[str, str, str | None]]:
    """(tool, mount target, actual cache dir or None) where a tool's mount misses its cache."""
    wrong: dict[str, tuple[str, str, str | None]] = {}
    for cmd, tool in _downloading_installs(ins):
        mount = sup.tool_mount(ins, tool)
        if mount is None or tool in wrong:
            continue
        actual = sup.cache_dir(dockerfile, ins, cmd, tool)
        if actual is None and not sup.state_at(dockerfile, ins).is_root:
            if mount.target.startswith("/root/"):
                wrong[tool] = (tool, mount.target, None)
        elif actual is not None and sup.covering_mount(ins, actual) is None:
            wrong[tool] = (tool, mount.target, actual)
    return list(wrong.values())


def retarget_fix(
    dockerfile: Dockerfile, ins: Instruction, wrong: list[tuple[str, str, str | None]]
) -> Fix | None:
    """Fix: point the mounts at the directories the tools really use."""
    parts = sup.run_text(dockerfile, ins)
    state = sup.state_at(dockerfile, ins)
    if parts is None or any(actual is None for _, _, actual in wrong):
        return None
    flags = list(parts.flags)
    for _, target, actual in wrong:
        new = _cache_flag(str(actual), state)
        old = next(
            (
                f
                for f in flags
                if re.search(rf"[=,](?:target|dst|destination)={re.escape(target)}(,|$)", f)
            ),
            None,
        )
        if new is None or old is None:
            return None
        flags[flags.index(old)] = new + "".join(f",{o}" for o in _extra_options(old))
    text = sup.RunText(parts.keyword, tuple(flags), parts.script).render()
    return Fix(
        "point the cache mount at the tool's cache directory",
        (sup.replace_edit(dockerfile, ins, text),),
    )


def _extra_options(flag: str) -> list[str]:
    options = flag.partition("=")[2].split(",")
    keep = {"id", "sharing", "mode", "gid"}
    return [o for o in options if o.partition("=")[0] in keep]


# --- apt (DW104) ----------------------------------------------------------------------------

_APT_DIRS = (("/var/cache/apt", "/var/cache/apt/archives"), ("/var/lib/apt", "/var/lib/apt/lists"))
_WIPE = r"(?:rm\s+-[a-zA-Z]+\s+/var/(?:lib/apt/lists|cache/apt/archives)/?\*?|apt(?:-get)?\s+clean)"


def _wipes(cmd: Command) -> bool:
    """`rm -rf /var/lib/apt/lists/*`, `rm -rf /var/cache/apt/...` or `apt-get clean`."""
    words = cmd.args_after_wrappers()
    if cmd.program == "rm":
        return any(w.startswith(("/var/lib/apt/lists", "/var/cache/apt")) for w in words[1:])
    return cmd.program in {"apt-get", "apt"} and words[1:2] == ("clean",)


def _updates_then_installs(commands: list[Command]) -> bool:
    """`apt-get update` then an install in the same RUN (a lists mount would hide older lists)."""
    update = next((n for n, c in enumerate(commands) if _is_update(c)), None)
    return update is not None and any(patterns.is_apt(c) for c in commands[update + 1 :])


def _is_update(cmd: Command) -> bool:
    return cmd.program in {"apt-get", "apt"} and "update" in cmd.args_after_wrappers()[1:]


def apt_cache_problems(ins: Instruction) -> list[str]:
    """What keeps an apt install RUN from reusing downloaded lists and packages."""
    if ins.cmd != "RUN" or not _updates_then_installs(ins.commands):
        return []
    mounts = [sup.covering_mount(ins, probe) for _, probe in _APT_DIRS]
    missing = [base for (base, _), m in zip(_APT_DIRS, mounts, strict=True) if m is None]
    present = [m for m in mounts if m is not None]
    problems = [f"has no cache mount for {' and '.join(missing)}"] if missing else []
    if any(m.options.get("sharing") != "locked" for m in present):
        problems.append(
            "mounts the apt cache without sharing=locked (parallel builds collide on apt's lock)"
        )
    if present and any(_wipes(c) for c in ins.commands):
        problems.append(
            "empties the mounted apt cache it should keep (rm of lists / apt-get clean)"
        )
    return problems


def _locked(flag: str) -> str:
    if not flag.startswith("--mount=") or "type=cache" not in flag:
        return flag
    target = re.search(r"(?:target|dst|destination)=([^,]+)", flag)
    if target is None or not target.group(1).rstrip("/").startswith(
        ("/var/cache/apt", "/var/lib/apt")
    ):
        return flag
    if "sharing=" in flag:
        return re.sub(r"sharing=\w+", "sharing=locked", flag)
    return flag + ",sharing=locked"


def apt_cache_fix(dockerfile: Dockerfile, ins: Instruction) -> Fix | None:
    """Fix: locked cache mounts for the apt directories; cleanup of those directories removed."""
    parts = sup.run_text(dockerfile, ins)
    if parts is None or ins.exec_form:
        return None
    flags = [_locked(f) for f in parts.flags]
    for base, probe in _APT_DIRS:
        if sup.covering_mount(ins, probe) is None:
            flags.append(f"--mount=type=cache,target={base},sharing=locked")
    script: str | None = parts.script
    if any(_wipes(c) for c in ins.commands):
        script = sup.remove_commands(parts.script, _WIPE, _wipes)
    if script is None:
        return None
    text = sup.RunText(parts.keyword, tuple(flags), script).render()
    return Fix(
        "cache apt lists and packages in locked cache mounts",
        (sup.replace_edit(dockerfile, ins, text),),
    )

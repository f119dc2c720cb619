"""PyTorch in a layer of its own, so other dependency changes do not reinstall and re-copy it.

Two small stages come before `build`:

* `torch-pin` picks the torch requirement line (and any `--index-url`/`--extra-index-url`/
  `--find-links` lines) out of the requirement files with `grep`, at build time, so it always
  follows the files. Any change to those files re-runs this step, but its output only changes
  when those lines do.
* `torch` copies that one line in and installs torch alone (`--no-deps`) into `/opt/torch`.
  BuildKit keys a `COPY --from` by the copied content, so an unchanged torch line keeps this stage
  and the production `COPY --from=torch` cached: adding `six` to the requirements no longer
  reinstalls a 1-5 GB package and re-exports its layer.

The virtualenv sees `/opt/torch` through a `.pth` file. Its own install resolves everything
else together with torch's dependencies (read from the installed torch's metadata), while a uv
override keeps torch itself out of the virtualenv.
"""

from __future__ import annotations

from dockwright.generate.svc_deps import VENV
from dockwright.generate.svc_install import TORCH_DIR, InstallContext, Run

PIN_FILE = "/torch-requirements.txt"
_LINE = r"'^[[:space:]]*torch[[:space:]]*([=<>!~;@[]|$)'"
_INDEX = r"'^[[:space:]]*(-i|--index-url|--extra-index-url|-f|--find-links)([[:space:]=]|$)'"
"""Index options of the requirement files come along: torch may live on its own index."""
PTH_COMMAND = (
    f'{VENV}/bin/python -c "import pathlib, sysconfig; '
    "pathlib.Path(sysconfig.get_paths()['purelib'], '_dockwright_torch.pth')"
    f".write_text('{TORCH_DIR}\\\\n')\""
)
"""Puts TORCH_DIR on the virtualenv's sys.path (after its own site-packages)."""
TEMPLATE_VALUES = {"pin_file": PIN_FILE, "torch_dir": TORCH_DIR, "pth_command": PTH_COMMAND}


def applies(ic: InstallContext, main_files: list[str]) -> bool:
    """A requirements install with a direct, unhashed torch requirement in its files."""
    if ic.torch is None or ic.deps.mode != "requirements":
        return False
    reqs = [r for f in main_files if f in ic.deps.files for r in ic.deps.files[f].requirements]
    torch = [r for r in reqs if r.name == "torch" and not r.group]
    return bool(torch) and not any(r.hashes for r in reqs)


def pin_run(ic: InstallContext, files: list[str]) -> str:
    """The `torch-pin` step: the torch line (or plain `torch`) and the files' index options."""
    paths = " ".join(ic.deps_path(f) for f in files)
    command = (
        f"grep -hiE -e {_LINE} -e {_INDEX} {paths} > {PIN_FILE} \\\n"
        f"    && grep -qiE {_LINE} {PIN_FILE} || echo torch >> {PIN_FILE}"
    )
    return Run(tuple(ic.bind(f) for f in files), (command,)).render()


def torch_run(ic: InstallContext) -> str:
    """The `torch` stage's install of torch alone into TORCH_DIR."""
    command = f"uv pip install --target {TORCH_DIR} --no-deps -r /tmp{PIN_FILE}"
    command += ic.index_args()
    return Run(ic.mounts([command]), (command,)).render()

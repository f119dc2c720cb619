"""Build-speed rule (DW114): PyTorch installed in the same layer as everything else."""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.utils import canonicalize_name

from dockwright.model.findings import Cost, Finding, Group, Severity
from dockwright.rules import _installs, _torch
from dockwright.rules.base import Rule, RuleContext

TORCH_CPU_BYTES = 800 * _torch.MB  # torch 2.x CPU wheel, installed
# dockwright's uv override line, also after a `printf` "\n"
_KEPT_OUT = re.compile(r"(?:^|\\n|[^\w.-])torch\s*;\s*sys_platform\s*==\s*'never'")


def _names(ctx: RuleContext, inst: _installs.PythonInstall) -> set[str]:
    """Canonical names of the main requirements an install names (files and command line)."""
    files = _installs.dep_files_of(ctx, inst)
    found = {r.name for d in files if not d.is_lock for r in d.requirements if not r.group}
    inline = (r for p in inst.packages if (r := _installs.requirement_of(p)))
    return found | {canonicalize_name(r.name) for r in inline}


def _installs_torch_before(ctx: RuleContext, inst: _installs.PythonInstall) -> bool:
    earlier = [i for i in ctx.dockerfile.before(inst.ins) if i.cmd == "RUN"]
    for other in (o for i in earlier for o in _installs.python_installs_of(i)):
        if "torch" in _names(ctx, other):
            return True
    return False


class TorchSharesInstallLayer(Rule):
    """PyTorch is installed in one layer with the service's other requirements.

    Any change to any requirement re-runs that install: torch (about 0.8 GB for the CPU build,
    5 GB with CUDA) is installed, copied and exported again, when adding a small package should
    take seconds.

    Anti-pattern::

        COPY requirements.txt .          # torch==2.3.1, fastapi, ...
        RUN pip install -r requirements.txt

    Better: torch in a layer of its own, before the rest (`dockwright optimize` writes a `torch`
    stage whose layer only changes with the torch line)::

        RUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cpu
        COPY requirements.txt .
        RUN pip install -r requirements.txt
    """

    id = "DW114"
    name = "speed.torch-shares-install-layer"
    severity = Severity.WARNING
    group = Group.SPEED

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for inst in _installs.python_installs(ctx.dockerfile.stages):
            names = _names(ctx, inst)
            if "torch" not in names or len(names) < 2 or _KEPT_OUT.search(inst.ins.script):
                continue
            if _installs_torch_before(ctx, inst):
                continue
            others = len(names) - 1
            yield self.report(
                ctx,
                inst.ins,
                f"torch is installed in the same layer as {others} other requirement(s): "
                "changing any of them reinstalls torch; give torch a layer of its own",
                cost=self._cost(ctx),
            )

    def _cost(self, ctx: RuleContext) -> Cost:
        cpu = _torch.build_chooses_cpu(ctx, list(ctx.dockerfile.stages))
        size = TORCH_CPU_BYTES + (0 if cpu else _torch.CUDA_EXTRA_BYTES)
        return Cost(
            bytes_rebuilt=size,
            note="reinstalled on every dependency change (estimate: installed torch"
            + (", CPU build)" if cpu else " with its CUDA wheels)"),
        )

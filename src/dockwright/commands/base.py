"""`dockwright base build` and `dockwright engine`: local base images and the BuildKit client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dockwright import api
from dockwright.base.image import DEFAULT_CA

base_app = typer.Typer(help="Local Python base images for offline and air-gapped builds.")


def register(app: typer.Typer) -> None:
    """Add the `base` group and the `engine` command."""
    app.add_typer(base_app, name="base")
    app.command("engine")(engine)


@base_app.command("build")
def build(
    python: Annotated[str, typer.Option(help="Python version (3.9, 3.11, 3.13).")] = "3.11",
    variant: Annotated[str, typer.Option(help="slim, or full (build tools, curl, git).")] = "slim",
    ca_bundle: Annotated[
        Path | None, typer.Option(help="CA bundle to bake in (default: the host's).")
    ] = None,
    no_ca: Annotated[bool, typer.Option("--no-ca", help="Bake in no extra CA bundle.")] = False,
    tag: Annotated[
        list[str] | None, typer.Option(help="Image tag (repeatable; default python:X-slim).")
    ] = None,
    mirror: Annotated[str | None, typer.Option(help="Debian mirror URL.")] = None,
) -> int:
    """Build (or reuse) a minimal Python base image from Debian packages with debootstrap."""
    bundle = None if no_ca else (ca_bundle or DEFAULT_CA)
    if bundle is not None and not bundle.is_file():
        raise typer.BadParameter(f"no such CA bundle: {bundle}", param_hint="--ca-bundle")
    spec = api.BaseSpec(python, variant, bundle, tuple(tag or ()), mirror)
    tags = api.build_base(spec, lambda line: typer.echo(line, err=True))
    typer.echo(" ".join(tags))
    return 0


def engine() -> int:
    """Show which BuildKit client dockwright builds with (and why others were skipped)."""
    typer.echo(api.engine().describe())
    return 0

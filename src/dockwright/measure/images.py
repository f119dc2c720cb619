"""Inspect a built image: `docker save` to a tar, walk its layers, attribute them to lines.

The saved image's `manifest.json` names the config and the layer tars (legacy and OCI layouts
alike); the config's `history` has one entry per instruction, and the entries without
`empty_layer` correspond, in order, to the layers. That is the same text `docker history
--no-trunc` shows, read from the saved file so no second engine call is needed.
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.errors import EngineError
from dockwright.measure.layers import (
    Entry,
    LayerWaste,
    attribute,
    image_instructions,
    normalise,
    waste,
)
from dockwright.model.dockerfile import Dockerfile, Instruction
from dockwright.model.measurements import ImageRecord, LayerRecord, Side

TOP_WASTED = 20


@dataclass(frozen=True)
class SavedImage:
    """What the layer walk needs from a saved image."""

    history: tuple[tuple[str, bool], ...]  # (created_by, empty_layer)
    layer_sizes: tuple[int, ...]
    layers: tuple[tuple[Entry, ...], ...]


def _json(outer: tarfile.TarFile, name: str) -> Any:
    try:
        handle = outer.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise EngineError(f"saved image has no file {name}")
    return json.load(handle)


def _entries(handle: IO[bytes]) -> tuple[Entry, ...]:
    with tarfile.open(fileobj=handle, mode="r:*") as inner:
        return tuple(
            Entry(normalise(m.name), m.size if m.isreg() else 0, m.isreg(), m.isdir())
            for m in inner
            if normalise(m.name)
        )


def read_saved(path: Path) -> SavedImage:
    """Read history and layer members of a `docker save` tar (one image)."""
    with tarfile.open(path) as outer:
        manifest = _json(outer, "manifest.json")[0]
        config = _json(outer, manifest["Config"])
        sizes: list[int] = []
        layers: list[tuple[Entry, ...]] = []
        for name in manifest["Layers"]:
            member = outer.getmember(name)
            handle = outer.extractfile(member)
            if handle is None:
                raise EngineError(f"saved image layer {name} is not a file")
            sizes.append(member.size)
            layers.append(_entries(handle))
    history = tuple(
        (str(h.get("created_by", "")), bool(h.get("empty_layer", False)))
        for h in config.get("history", [])
    )
    return SavedImage(history, tuple(sizes), tuple(layers))


def layer_records(
    saved: SavedImage, instructions: list[Instruction], dockerfile: str, totals: LayerWaste
) -> list[LayerRecord]:
    """One record per layer: sizes, waste and (best effort) the Dockerfile line behind it."""
    owners = attribute([h[0] for h in saved.history], instructions)
    layer_history = [(h[0], o) for h, o in zip(saved.history, owners, strict=True) if not h[1]]
    if len(layer_history) != len(saved.layers):  # odd history: keep sizes, drop attribution
        layer_history = [("", None)] * len(saved.layers)
    records = []
    for index, (created_by, owner) in enumerate(layer_history):
        ins = instructions[owner] if owner is not None else None
        records.append(
            LayerRecord(
                index=index,
                size=saved.layer_sizes[index],
                content=totals.content[index],
                wasted=totals.wasted[index],
                files=totals.files[index],
                created_by=created_by,
                dockerfile=dockerfile if ins else None,
                line=ins.line if ins else None,
                instruction=" ".join(ins.original.split()) if ins else None,
            )
        )
    return records


def image_record(
    saved: SavedImage, parsed: Dockerfile, target: str | None, label: tuple[str, Side, str]
) -> ImageRecord:
    """The ImageRecord of a saved image built from `parsed` (label: service, side, tag)."""
    chain = reversed(parsed.image_stages(target))
    instructions = image_instructions(s.instructions for s in chain)
    totals = waste(saved.layers)
    layers = layer_records(saved, instructions, parsed.path.name, totals)
    wasted = totals.wasted_files[:TOP_WASTED]
    service, side, tag = label
    size = sum(saved.layer_sizes)
    return ImageRecord(
        service=service,
        side=side,
        tag=tag,
        size=size,
        layers=tuple(layers),
        wasted_files=tuple(wasted),
    )


def save_argv(engine: Engine, tag: str, output: Path) -> list[str]:
    """`docker save -o FILE TAG` (pure)."""
    return engine.docker_argv("save", "-o", str(output), tag)


def inspect_image(
    engine: Engine, tag: str, parsed: Dockerfile, target: str | None, who: tuple[str, Side]
) -> ImageRecord:
    """Save the image to a temporary tar, walk it, and delete the tar."""
    with tempfile.TemporaryDirectory(prefix="dockwright-save-") as scratch:
        output = Path(scratch) / "image.tar"
        _subprocess.run(save_argv(engine, tag, output), env=engine.env, timeout=1800)
        saved = read_saved(output)
    return image_record(saved, parsed, target, (who[0], who[1], tag))

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from dockwright.build.engine import ClientKind, Engine
from dockwright.errors import EngineError
from dockwright.measure.images import image_record, read_saved, save_argv
from dockwright.model.dockerfile import parse_text
from dockwright.model.measurements import Side

DOCKERFILE = "FROM base\nWORKDIR /app\nCOPY big.bin .\nRUN rm big.bin && echo ok > done\nCMD x\n"


def _layer(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def _add(tar: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    tar.addfile(info, io.BytesIO(body))


def write_saved(
    path: Path, layers: list[dict[str, bytes]], history: list[dict[str, object]]
) -> None:
    """A `docker save` tar in the legacy layout (what Docker 20.10 writes)."""
    config = {"history": history, "rootfs": {"type": "layers", "diff_ids": []}}
    names = [f"l{i}/layer.tar" for i in range(len(layers))]
    manifest = [{"Config": "cfg.json", "RepoTags": ["t:1"], "Layers": names}]
    with tarfile.open(path, "w") as tar:
        _add(tar, "manifest.json", json.dumps(manifest).encode())
        _add(tar, "cfg.json", json.dumps(config).encode())
        for name, files in zip(names, layers, strict=True):
            _add(tar, name, _layer(files))


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "image.tar"
    layers = [
        {"usr/bin/python": b"p" * 300},
        {"app/": b""},
        {"app/big.bin": b"b" * 5000},
        {"app/.wh.big.bin": b"", "app/done": b"ok\n"},
    ]
    history = [
        {"created_by": "ADD rootfs / # base"},
        {"created_by": "WORKDIR /app"},
        {"created_by": "COPY big.bin . # buildkit"},
        {"created_by": "RUN /bin/sh -c rm big.bin && echo ok > done # buildkit"},
        {"created_by": "CMD x", "empty_layer": True},
    ]
    write_saved(path, layers, history)
    return path


def test_read_saved_gives_history_and_layer_members(saved: Path) -> None:
    image = read_saved(saved)
    assert len(image.layers) == 4 and image.history[-1] == ("CMD x", True)
    assert [e.path for e in image.layers[3]] == ["app/.wh.big.bin", "app/done"]
    assert all(size > 0 for size in image.layer_sizes)


def test_image_record_attributes_layers_and_charges_waste_to_the_copy(saved: Path) -> None:
    parsed = parse_text(DOCKERFILE, Path("/x/Dockerfile"))
    record = image_record(read_saved(saved), parsed, None, ("api", Side.AFTER, "t:1"))
    assert [layer.line for layer in record.layers] == [None, 2, 3, 4]
    assert [layer.where for layer in record.layers][:3] == [
        "base image",
        "Dockerfile:2",
        "Dockerfile:3",
    ]
    assert record.layers[2].wasted == 5000 and record.wasted == 5000
    assert record.wasted_files[0].path == "app/big.bin" and record.wasted_files[0].removed_in == 3
    assert record.size == sum(layer.size for layer in record.layers)


def test_odd_history_keeps_sizes_but_drops_attribution(tmp_path: Path) -> None:
    path = tmp_path / "odd.tar"
    write_saved(path, [{"a": b"1"}, {"b": b"22"}], [{"created_by": "RUN x"}])
    record = image_record(
        read_saved(path), parse_text("FROM a\nRUN x\n", Path("D")), None, ("s", Side.BEFORE, "t")
    )
    assert [layer.line for layer in record.layers] == [None, None]
    assert [layer.content for layer in record.layers] == [1, 2]


def test_a_tar_without_manifest_is_an_engine_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.tar"
    with tarfile.open(path, "w") as tar:
        _add(tar, "other.json", b"{}")
    with pytest.raises(EngineError, match=r"manifest\.json"):
        read_saved(path)


def test_save_argv() -> None:
    engine = Engine("/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10")
    assert save_argv(engine, "t:1", Path("/tmp/x.tar")) == [
        "/usr/bin/docker",
        "save",
        "-o",
        "/tmp/x.tar",
        "t:1",
    ]

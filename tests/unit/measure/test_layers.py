from __future__ import annotations

from pathlib import Path

from dockwright.measure.layers import (
    Entry,
    attribute,
    history_key,
    image_instructions,
    instruction_key,
    normalise,
    waste,
)
from dockwright.model.dockerfile import parse_text

DOCKERFILE = """\
FROM python:3.11-slim AS build
RUN echo hi > /x.txt
FROM python:3.11-slim
ARG FOO=1
ENV A=b \\
    C=d
WORKDIR /app
COPY --from=build /x.txt /y.txt
COPY req.txt app.py ./
RUN --mount=type=cache,target=/root/.cache/pip pip install -r req.txt && \\
    rm -rf /tmp/*
RUN ["python", "app.py"]
USER nobody
CMD ["python", "app.py"]
"""

# `docker history --no-trunc` of that Dockerfile built by BuildKit on Docker 20.10, oldest first.
HISTORY = [
    "/bin/sh -c #(nop) ADD file:abc in / ",
    '/bin/sh -c #(nop)  CMD ["python3"]',
    "ARG FOO=1",
    "ENV A=b C=d",
    "WORKDIR /app",
    "COPY /x.txt /y.txt # buildkit",
    "COPY req.txt app.py ./ # buildkit",
    "RUN |1 FOO=1 /bin/sh -c pip install -r req.txt &&     rm -rf /tmp/* # buildkit",
    "RUN |1 FOO=1 python app.py # buildkit",
    "USER nobody",
    'CMD ["python" "app.py"]',
]


def test_normalise_strips_dot_slash_and_trailing_slash() -> None:
    assert normalise("./usr/bin/") == "usr/bin"
    assert normalise("/etc/passwd") == "etc/passwd"
    assert normalise("./") == ""


def test_overwritten_file_is_wasted_in_the_layer_that_added_it() -> None:
    layers = [
        [Entry("app", is_dir=True, regular=False), Entry("app/model.bin", 1000)],
        [Entry("app/model.bin", 10)],
    ]
    result = waste(layers)
    assert result.content == [1000, 10]
    assert result.wasted == [1000, 0]
    assert [(w.path, w.layer, w.removed_in) for w in result.wasted_files] == [
        ("app/model.bin", 0, 1)
    ]


def test_whiteout_deletes_a_file_or_a_whole_folder() -> None:
    layers = [
        [Entry("tmp/a", 5), Entry("tmp/cache/b", 7), Entry("tmp/cache/c/d", 11), Entry("keep", 3)],
        [Entry("tmp/.wh.a", 0), Entry("tmp/.wh.cache", 0)],
    ]
    result = waste(layers)
    assert result.wasted == [23, 0]
    assert result.files == [4, 0]  # whiteout markers are not files
    assert {w.path for w in result.wasted_files} == {"tmp/a", "tmp/cache/b", "tmp/cache/c/d"}


def test_opaque_folder_hides_lower_layers_but_not_its_own_files() -> None:
    layers = [
        [Entry("var/lib/apt/lists/x", 100), Entry("var/lib/other", 1)],
        [Entry("var/lib/apt/lists/.wh..wh..opq", 0), Entry("var/lib/apt/lists/y", 4)],
        [Entry("var/lib/apt/lists/z", 2)],
    ]
    result = waste(layers)
    assert result.wasted == [100, 0, 0]
    assert result.content == [101, 4, 2]


def test_symlink_over_a_file_wastes_the_file() -> None:
    layers = [[Entry("bin/tool", 50)], [Entry("bin/tool", 0, regular=False)]]
    assert waste(layers).wasted == [50, 0]


def test_history_keys_drop_build_args_shell_and_buildkit_marker() -> None:
    assert history_key(HISTORY[7]) == ("RUN", "pip install -r req.txt && rm -rf /tmp/*")
    assert history_key(HISTORY[8]) == ("RUN", "python app.py")
    assert history_key('CMD ["python" "app.py"]') == ("CMD", "python app.py")
    assert history_key("/bin/sh -c apt-get update") == ("RUN", "apt-get update")
    assert history_key('/bin/sh -c #(nop)  CMD ["python3"]') == ("CMD", "python3")


def test_instruction_keys_drop_flags_and_continuations() -> None:
    parsed = parse_text(DOCKERFILE, Path("Dockerfile"))
    keys = {ins.line: instruction_key(ins) for ins in parsed.instructions()}
    assert keys[8] == ("COPY", "/x.txt /y.txt")
    assert keys[10] == ("RUN", "pip install -r req.txt && rm -rf /tmp/*")
    assert keys[12] == ("RUN", "python app.py")
    assert keys[5] == ("ENV", "A=b C=d")


def test_attribute_maps_history_to_lines_and_leaves_the_base_image_alone() -> None:
    parsed = parse_text(DOCKERFILE, Path("Dockerfile"))
    chain = reversed(parsed.image_stages(None))
    instructions = image_instructions(s.instructions for s in chain)
    owners = attribute(HISTORY, instructions)
    lines = [instructions[o].line if o is not None else None for o in owners]
    assert lines == [None, None, 4, 5, 7, 8, 9, 10, 12, 13, 14]


def test_attribute_falls_back_to_the_same_instruction_kind_nearby() -> None:
    parsed = parse_text("FROM x\nWORKDIR $HOME/app\nCOPY . .\n", Path("Dockerfile"))
    instructions = image_instructions([parsed.stages[0].instructions])
    owners = attribute(
        ["ADD file:1 in /", "WORKDIR /root/app", "COPY . . # buildkit"], instructions
    )
    assert owners == [None, 0, 1]

"""`.dockerignore` matching, checked against moby/patternmatcher and docker-py test vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.context import scan_context
from dockwright.model.dockerignore import (
    DockerIgnore,
    MatchKind,
    go_clean,
    is_valid,
    load,
    make_pattern,
    parse,
)


def ignore(*lines: str) -> DockerIgnore:
    patterns, problems = parse("\n".join(lines))
    assert problems == ()
    return DockerIgnore(Path(".dockerignore"), patterns)


# moby/patternmatcher TestMatches: (pattern, path, matched-by-pattern-or-a-parent)
MOBY_MATCHES = [
    ("**", "file", True),
    ("**", "file/", True),
    ("**/", "file", True),
    ("**/", "file/", True),
    ("**", "dir/file", True),
    ("**/", "dir/file", True),
    ("**/**", "dir/file", True),
    ("dir/**", "dir/file", True),
    ("dir/**", "dir/dir2/file", True),
    ("**/dir", "dir", True),
    ("**/dir", "dir/file", True),
    ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True),
    ("**file", "file", True),
    ("**file", "dir/file", True),
    ("**/file", "dir/file", True),
    ("**file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False),
    ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True),
    ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False),
    ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False),
    ("a[b-d]e", "ace", True),
    ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True),
    (".*", ".foo", True),
    (".*", "foo", False),
    ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True),
    ("abc.def", "abcZdef", False),
    ("abc?def", "abcZdef", True),
    ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True),
    ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False),
    ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True),
    ("**/.foo", ".foo", True),
    ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True),
    ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\\\", "a\\", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "ab", False),
    ("[\\]a]", "]", True),
    ("[\\-]", "-", True),
    ("[x\\-]", "-", True),
    ("[x\\-]", "z", False),
    ("a?b", "a/b", False),
    ("a*b", "a/b", False),
    ("a*/b", "abc/b", True),
    ("a*/b", "a/c/b", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True),
    ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("[a-ζ]*", "α", True),  # noqa: RUF001
    ("*[a-ζ]", "A", False),
    ("a?b", "a☺b", True),
    ("a???b", "a☺b", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MOBY_MATCHES)
def test_moby_vectors(pattern: str, path: str, expected: bool) -> None:
    assert ignore(pattern).excluded(path) is expected


# moby multiPatternTests
@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["**", "!util/docker/web"], "util/docker/web/foo", False),
        (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
        (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
        (["!fileutils.go", "*.go"], "fileutils.go", True),
        (["*.go", "!fileutils.go"], "fileutils.go", False),
        (["docs", "!docs/README.md"], "docs/README.md", False),
        (["docs/", "!docs/README.md"], "docs/README.md", False),
        (["docs/*", "!docs/README.md"], "docs/README.md", False),
    ],
)
def test_moby_multi_pattern_vectors(patterns: list[str], path: str, expected: bool) -> None:
    assert ignore(*patterns).excluded(path) is expected


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("*", MatchKind.REGEXP),
        ("**", MatchKind.SUFFIX),
        ("dir/**", MatchKind.PREFIX),
        ("**/dir", MatchKind.SUFFIX),
        ("**/dir2/*", MatchKind.REGEXP),
        ("abc.def", MatchKind.EXACT),
        ("**/**", MatchKind.REGEXP),
        ("a[b-d]e", MatchKind.REGEXP),
    ],
)
def test_match_kind_follows_moby_compile(pattern: str, kind: MatchKind) -> None:
    assert make_pattern(pattern, False, 1).kind is kind


@pytest.mark.parametrize(
    "pattern",
    ["[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "!"],
)
def test_malformed_patterns_become_problems(pattern: str) -> None:
    patterns, problems = parse(f"ok\n{pattern}\n", Path("x/.dockerignore"))
    assert [p.text for p in patterns] == ["ok"]
    assert [(p.path, p.line) for p in problems] == [(Path("x/.dockerignore"), 2)]


def test_valid_pattern_syntax() -> None:
    assert is_valid("[\\]a]") and is_valid("a[^b-d]e") and is_valid("*x")


def test_reading_rules() -> None:
    patterns, _ = parse("\ufeff# comment\n  \n  # not a comment\n/foo/./bar/\n ! ./keep \n/\n")
    assert [(p.text, p.exclusion, p.line) for p in patterns] == [
        ("# not a comment", False, 3),
        ("foo/bar", False, 4),
        ("keep", True, 5),
        ("/", False, 6),
    ]


def test_go_clean() -> None:
    assert go_clean("") == "."
    assert go_clean("//a//b/../c/") == "/a/c"
    assert go_clean("/..") == "/"
    assert go_clean("../a") == "../a"


def test_buildkit_parent_results_beat_or_parent_matching() -> None:
    # MatchesUsingParentResults: `!a` was skipped for `a` (nothing excluded yet) so it cannot
    # re-include `a/b` that the first pattern excluded.
    assert ignore("a/b", "!a").excluded("a/b") is True


def test_matching_pattern_reports_the_deciding_line() -> None:
    rules = ignore("*.md", "!README*.md", "README-secret.md")
    decider = rules.matching_pattern("README-secret.md")
    assert decider is not None and decider.line == 3
    keep = rules.matching_pattern("README.md")
    assert keep is not None and keep.exclusion and keep.line == 2
    assert rules.matching_pattern("main.py") is None


# docker-py tests/unit/utils_build_test.py ExcludePathsTest (files only)
FILES = [
    "Dockerfile",
    "Dockerfile.alt",
    ".dockerignore",
    "a.py",
    "a.go",
    "b.py",
    "cde.py",
    "foo/a.py",
    "foo/b.py",
    "foo/bar/a.py",
    "bar/a.py",
    "foo/Dockerfile3",
    "target/file.txt",
    "target/subdir/file.txt",
    "subdir/file.txt",
    "subdir/target/file.txt",
    "subdir/target/subdir/file.txt",
    "subdir/subdir2/file.txt",
    "subdir/subdir2/target/file.txt",
    "subdir/subdir2/target/subdir/file.txt",
]
ALL = set(FILES)


def sent(root: Path, patterns: list[str], dockerfile: str = "Dockerfile") -> set[str]:
    for rel in FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    (root / ".dockerignore").write_text("\n".join(patterns))
    scan = scan_context(root, load(root, root / dockerfile))
    assert scan.problems == ()
    return {e.rel for e in scan.entries if not e.excluded and not e.is_dir}


@pytest.mark.parametrize(
    ("patterns", "excluded"),
    [
        ([""], set()),
        (["Dockerfile", ".dockerignore"], set()),
        (["a.py"], {"a.py"}),
        (["./a.py"], {"a.py"}),
        (["a.py/"], {"a.py"}),
        (["*.py"], {"a.py", "b.py", "cde.py"}),
        (["*.py", "!b.py"], {"a.py", "cde.py"}),
        (["*.*", "!*.go"], {"a.py", "b.py", "cde.py", "Dockerfile.alt"}),
        (["a.*"], {"a.py", "a.go"}),
        (["?.py"], {"a.py", "b.py"}),
        (["foo/a.py"], {"foo/a.py"}),
        (["/foo/a.py"], {"foo/a.py"}),
        (["foo/whoops/../a.py"], {"foo/a.py"}),
        (["foo/*.py"], {"foo/a.py", "foo/b.py"}),
        (["*/a.py"], {"foo/a.py", "bar/a.py"}),
        (["*/*.py"], {"foo/a.py", "foo/b.py", "bar/a.py"}),
        (["foo"], {"foo/a.py", "foo/b.py", "foo/bar/a.py", "foo/Dockerfile3"}),
        (["foo/"], {"foo/a.py", "foo/b.py", "foo/bar/a.py", "foo/Dockerfile3"}),
        (["foo", "!foo/bar/a.py"], {"foo/a.py", "foo/b.py", "foo/Dockerfile3"}),
        (["foo", "!foo/bar"], {"foo/a.py", "foo/b.py", "foo/Dockerfile3"}),
        (["foo", "!foo/*.py"], {"foo/bar/a.py", "foo/Dockerfile3"}),
        (["foo/bar"], {"foo/bar/a.py"}),
        (["**/a.py"], {"a.py", "foo/a.py", "foo/bar/a.py", "bar/a.py"}),
        (["foo/**/bar"], {"foo/bar/a.py"}),
        (
            ["**/target/*/*"],
            {
                "target/subdir/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
            },
        ),
        (["subdir/**"], {f for f in FILES if f.startswith("subdir/")}),
        (
            ["**", "!bar", "!foo/bar"],
            ALL - {"foo/bar/a.py", "bar/a.py", "Dockerfile", ".dockerignore"},
        ),
        # docker-py drops ../a.py too; Go's Clean keeps `../a.py`, which matches nothing.
        (["../a.py", "/../b.py"], {"b.py"}),
    ],
)
def test_docker_py_vectors(tmp_path: Path, patterns: list[str], excluded: set[str]) -> None:
    assert sent(tmp_path, patterns) == ALL - excluded


def test_wildcard_keeps_dockerfile_and_dockerignore(tmp_path: Path) -> None:
    assert sent(tmp_path, ["*"]) == {"Dockerfile", ".dockerignore"}
    assert sent(tmp_path, ["*"], "Dockerfile.alt") == {"Dockerfile.alt", ".dockerignore"}
    assert sent(tmp_path, ["*"], "foo/Dockerfile3") == {"foo/Dockerfile3", ".dockerignore"}


def test_custom_dockerfile_in_excluded_folder_is_kept(tmp_path: Path) -> None:
    kept = sent(tmp_path, ["foo/"], "foo/Dockerfile3")
    assert "foo/Dockerfile3" in kept and "foo/a.py" not in kept


def test_wildcard_exception_reaches_into_excluded_folder(tmp_path: Path) -> None:
    # BuildKit (fsutil) walks `a` because the exception has a wildcard, and re-includes a/b.py;
    # docker-py's legacy result here is "nothing sent".
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.py").write_text("x")
    (tmp_path / ".dockerignore").write_text("*\n!*/b.py\n")
    scan = scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    assert {e.rel for e in scan.entries if not e.excluded} == {"a/b.py", ".dockerignore"}


def test_last_line_wins(tmp_path: Path) -> None:
    for name in ("garbage.md", "trash.md", "README.md", "README-bis.md", "README-secret.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".dockerignore").write_text("*.md\n!README*.md\nREADME-secret.md\n.dockerignore\n")
    scan = scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    sent_files = {e.rel for e in scan.entries if not e.excluded}
    assert sent_files == {"README.md", "README-bis.md", ".dockerignore"}


def test_dockerfile_specific_ignore_wins(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("a\n")
    (tmp_path / "Dockerfile.dev.dockerignore").write_text("b\n")
    rules = load(tmp_path, tmp_path / "Dockerfile.dev")
    assert rules.path == tmp_path / "Dockerfile.dev.dockerignore"
    assert rules.excluded("b") and not rules.excluded("a")
    assert load(tmp_path, tmp_path / "Dockerfile").excluded("a")


def test_no_ignore_file(tmp_path: Path) -> None:
    rules = load(tmp_path, tmp_path / "Dockerfile")
    assert not rules.exists and not rules.excluded("anything/at/all")

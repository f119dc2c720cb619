from __future__ import annotations

from pathlib import Path

import pytest

from dockwright import config as config_mod
from dockwright.config import Config, find_config, load_config
from dockwright.errors import ConfigError
from dockwright.model.findings import Severity


@pytest.fixture(autouse=True)
def _known_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rule option keys come from the registry; pin them so these tests do not drift."""
    monkeypatch.setattr(config_mod, "option_keys", lambda: frozenset({"cuda", "max-context-mb"}))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    cfg = load_config([tmp_path], env={})
    assert cfg.fail_on is Severity.WARNING
    assert (cfg.format, cfg.select, cfg.ignore, cfg.exit_zero, cfg.output) == (
        "terminal",
        (),
        (),
        False,
        None,
    )
    assert cfg.source is None


def test_precedence_file_env_cli(tmp_path: Path) -> None:
    write(tmp_path / "dockwright.toml", 'fail-on = "info"\nformat = "json"\nselect = ["DW1"]\n')
    assert load_config([tmp_path], env={}).fail_on is Severity.INFO
    env = {"DOCKWRIGHT_FAIL_ON": "error", "DOCKWRIGHT_SELECT": "DW101,DW3"}
    cfg = load_config([tmp_path], env=env)
    assert (cfg.fail_on, cfg.format, cfg.select) == (Severity.ERROR, "json", ("DW101", "DW3"))
    cfg = load_config(
        [tmp_path], env=env, cli={"fail-on": "warning", "select": None, "format": "sarif"}
    )
    assert (cfg.fail_on, cfg.format, cfg.select) == (Severity.WARNING, "sarif", ("DW101", "DW3"))


def test_cli_lists_split_on_commas(tmp_path: Path) -> None:
    cfg = load_config([tmp_path], env={}, cli={"select": ["DW1,DW3", "DW101"], "ignore": ["DW102"]})
    assert cfg.select == ("DW1", "DW3", "DW101")
    assert cfg.ignore == ("DW102",)


def test_pyproject_section_found_upwards(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.dockwright]\nexit-zero = true\n',
    )
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    assert load_config([sub], env={}).exit_zero is True


def test_dockwright_toml_wins_and_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "dockwright.toml", 'format = "markdown"\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path / "sub") == tmp_path / "dockwright.toml"


def test_search_stops_at_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "dockwright.toml", 'format = "json"\n')
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert find_config(tmp_path / "repo") is None


def test_explicit_config_file(tmp_path: Path) -> None:
    path = write(tmp_path / "conf" / "custom.toml", 'ignore = ["DW101"]\n')
    assert load_config([tmp_path], config_file=path, env={}).ignore == ("DW101",)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config([tmp_path], config_file=tmp_path / "missing.toml", env={})


def test_unknown_key_suggests_and_names_line(tmp_path: Path) -> None:
    path = write(tmp_path / "dockwright.toml", 'format = "json"\nselct = ["DW1"]\n')
    with pytest.raises(ConfigError) as err:
        load_config([tmp_path], env={})
    assert err.value.one_line() == (
        f"{path}:2: unknown key 'selct' in the config file (did you mean 'select'?)"
    )


def test_unknown_key_in_pyproject_and_service(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.dockwright]\nfail_onn = 'error'\n")
    with pytest.raises(
        ConfigError,
        match=r"unknown key 'fail_onn' in \[tool.dockwright\] \(did you mean 'fail-on'\?\)",
    ):
        load_config([tmp_path], env={})
    write(tmp_path / "pyproject.toml", "[tool.dockwright.services.api]\ncudaa = true\n")
    with pytest.raises(
        ConfigError, match=r"unknown key 'cudaa' in \[services.api\] \(did you mean 'cuda'\?\)"
    ):
        load_config([tmp_path], env={})


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "dockwright.toml", 'format = "json"\nselect = [DW1]\n')
    with pytest.raises(ConfigError) as err:
        load_config([tmp_path], env={})
    assert (err.value.path, err.value.line, err.value.column) == (path, 2, 11)
    assert err.value.one_line().startswith(f"{path}:2:11: invalid TOML: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select = 5\n", "select: expected a list of strings, got 5"),
        ("exit-zero = 3\n", "exit-zero: Input should be a valid boolean"),
        ('fail-on = "fatal"\n', "fail-on: unknown severity 'fatal'"),
        ("fail-on = 2\n", "fail-on: expected a severity name, got int"),
        ('format = "jsn"\n', "format: unknown format 'jsn' (did you mean 'json'?)"),
        ("services = 1\n", "services: expected a table of service tables"),
    ],
)
def test_wrong_types_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "dockwright.toml", text)
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        load_config([tmp_path], env={})


def test_env_and_cli_errors_name_their_origin(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with pytest.raises(ConfigError, match=r"^DOCKWRIGHT_FAIL_ON: unknown severity 'loud'"):
        load_config([tmp_path], env={"DOCKWRIGHT_FAIL_ON": "loud"})
    with pytest.raises(ConfigError, match=r"^--fail-on: unknown severity 'loud'"):
        load_config([tmp_path], env={}, cli={"fail-on": "loud"})
    with pytest.raises(ConfigError, match=r"^DOCKWRIGHT_EXIT_ZERO: expected a boolean"):
        load_config([tmp_path], env={"DOCKWRIGHT_EXIT_ZERO": "maybe"})
    assert load_config([tmp_path], env={"DOCKWRIGHT_EXIT_ZERO": "1"}).exit_zero is True


def test_unknown_rule_prefix_suggests(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with pytest.raises(
        ConfigError, match=r"^--select: no rule matches 'DWW101' \(did you mean 'DW101'\?\)"
    ):
        load_config([tmp_path], env={}, cli={"select": ["DWW101"]})
    with pytest.raises(
        ConfigError,
        match=r"matches 'speed.copy-before-dep' \(did you mean 'speed.copy-before-deps'\?\)",
    ):
        load_config([tmp_path], env={}, cli={"ignore": ["speed.copy-before-dep"]})


def test_unknown_prefix_in_service_table(tmp_path: Path) -> None:
    path = write(tmp_path / "dockwright.toml", '[services.api]\nignore = ["XX9"]\n')
    with pytest.raises(ConfigError) as err:
        load_config([tmp_path], env={})
    assert err.value.path == path and err.value.line == 2
    assert "services.api.ignore: no rule matches 'XX9'" in err.value.message


def test_options_and_services_reach_the_rule_selection(tmp_path: Path) -> None:
    write(
        tmp_path / "dockwright.toml",
        'ignore = ["DW3"]\nmax-context-mb = 50\n'
        '[services.api]\nselect = ["DW1"]\nignore = ["DW101"]\ncuda = true\nmax-context-mb = 500\n'
        "[services.worker]\ncuda = false\n",
    )
    cfg = load_config([tmp_path], env={"DOCKWRIGHT_MAX_CONTEXT_MB": "80"})
    assert cfg.options == {"max-context-mb": 80}
    sel = cfg.selection(["api", "worker", "web"])
    assert sel.for_service("api") == (("DW1",), ("DW3", "DW101"))
    assert sel.for_service("web") == ((), ("DW3",))
    assert (
        sel.per_service["api"]["cuda"] is True and sel.per_service["api"]["max-context-mb"] == 500
    )
    assert sel.per_service["worker"]["max-context-mb"] == 80
    assert "cuda" not in sel.per_service["web"]


def test_misspelt_service_tables() -> None:
    cfg = Config.model_validate({"services": {"apii": {}, "other-repo-svc": {}}})
    assert cfg.misspelt_services(["api", "worker"]) == [
        "[services.apii] matches no service (did you mean 'api'?)"
    ]

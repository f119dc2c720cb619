"""Validation against real containers: health, non-root, read-only root, secrets in layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.build.engine import Engine
from dockwright.build.validate import ValidateOptions, ValidationResult, validate_image
from tests.integration.build_fixtures import write_service
from tests.integration.conftest import Images

FAST = ValidateOptions(timeout=30, settle=1.0)


def validated(
    engine: Engine, images: Images, tmp_path: Path, base: str, variant: str
) -> ValidationResult:
    folder = write_service(tmp_path, variant, base)
    images.build(folder, variant)
    return validate_image(engine, images.tags[-1], variant, FAST)


def verdicts(result: ValidationResult) -> dict[str, bool]:
    return {c.name: c.ok for c in result.checks}


def test_good_service_passes_every_check(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    result = validated(engine, images, tmp_path, base_image, "good")
    assert result.ok, result.checks
    assert list(verdicts(result)) == ["starts", "healthy", "non-root", "read-only", "no-secrets"]
    assert "HEALTHCHECK reports healthy" in (result.check("healthy") or pytest.fail()).detail
    assert "uid 1000" in (result.check("non-root") or pytest.fail()).detail


def test_a_slow_start_is_not_counted_against_the_health_check(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    result = validated(engine, images, tmp_path, base_image, "slow")
    assert result.ok, result.checks


def test_root_service_fails_only_non_root(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    result = validated(engine, images, tmp_path, base_image, "root")
    assert verdicts(result) == {
        "starts": True, "healthy": True, "non-root": False, "read-only": True, "no-secrets": True,
    }  # fmt: skip
    assert "GET /health on port" in (result.check("healthy") or pytest.fail()).detail
    assert "uid 0" in (result.check("non-root") or pytest.fail()).detail


def test_env_file_deleted_later_is_still_found_in_its_layer(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    result = validated(engine, images, tmp_path, base_image, "leaky")
    assert not verdicts(result)["no-secrets"] and verdicts(result)["healthy"]
    [leak] = result.secrets
    assert (leak.path, leak.reason, leak.created_by) == ("/app/.env", "dotenv file", "COPY .env .")


def test_no_health_probe_and_read_only_crash(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    quiet = validated(engine, images, tmp_path, base_image, "nohealth")
    assert verdicts(quiet) == {
        "starts": True, "healthy": False, "non-root": True, "read-only": True, "no-secrets": True,
    }  # fmt: skip
    assert "no HEALTHCHECK and no EXPOSEd port" in (quiet.check("healthy") or pytest.fail()).detail

    writes = validated(engine, images, tmp_path, base_image, "writes")
    assert verdicts(writes)["healthy"] and not verdicts(writes)["read-only"]
    detail = (writes.check("read-only") or pytest.fail()).detail
    assert "exited with code 1" in detail and "Read-only file system" in detail


def test_missing_image_is_a_failed_check_not_an_exception(engine: Engine) -> None:
    result = validate_image(engine, "dwtest-no-such-image:nope", "x", FAST)
    assert not result.ok and not verdicts(result)["starts"]

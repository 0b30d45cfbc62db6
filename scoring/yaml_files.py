"""Reading the core's YAML data files: one line naming the file when it cannot be read, cached packaged copies.

The policy, the action catalogue and the guide are all YAML validated into typed objects; what differs is the
schema, not how a file is read or how a bad value is reported. New loaders use these functions
(scoring/guide/data.py does).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scoring.policy import PolicyError, error_path, first_error

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: str | Path, what: str, error: type[PolicyError] = PolicyError) -> Any:
    """The parsed document of the file at ``path``; ``error`` ("cannot read <what> file …") if it cannot be."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {what} file {path}: {exc}") from exc


def packaged_yaml(name: str) -> tuple[Any, str]:
    """The parsed document of ``scoring/params/<name>`` as installed, and the path to name in errors."""
    text = resources.files("scoring").joinpath(f"params/{name}").read_text(encoding="utf-8")
    return yaml.safe_load(text), f"scoring/params/{name}"


def validated(model: type[M], raw: Any, what: str, source: str, error: type[PolicyError] = PolicyError) -> M:
    """``raw`` as ``model``; the first problem as one line with the file and the path of the bad value."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        loc, msg = first_error(exc)
        raise error(f"{what} file {source}: {error_path(loc)}: {msg}") from None

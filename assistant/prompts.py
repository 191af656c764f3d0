"""Prompts are reviewed data: TOML files in prompts/, loaded into a strict model that checks variables."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from assistant.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_VARIABLE = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")


class PromptTemplate(BaseModel):
    """A versioned prompt whose declared variables are exactly those its text uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    variables: list[str]
    system: str
    human: str

    @model_validator(mode="after")
    def _variables_match(self) -> PromptTemplate:
        used = set(_VARIABLE.findall(self.system)) | set(_VARIABLE.findall(self.human))
        declared = set(self.variables)
        if used != declared:
            raise ValueError(f"prompt {self.name}: declared {sorted(declared)} but uses {sorted(used)}")
        return self

    def messages(self, **values: str) -> list[tuple[str, str]]:
        """(role, text) pairs with every variable filled; a missing or extra value is an error."""
        if set(values) != set(self.variables):
            raise KeyError(f"prompt {self.name} needs {sorted(self.variables)}, got {sorted(values)}")
        return [("system", self.system.format(**values)), ("human", self.human.format(**values))]


@cache
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load prompts/<name>.toml."""
    return PromptTemplate.model_validate(tomllib.loads((folder / f"{name}.toml").read_text(encoding="utf-8")))

"""Writes config.example.toml from the Config dataclasses (every setting, its default and its doc).

    python scripts/make_config_example.py          # rewrite
    python scripts/make_config_example.py --check  # exit 1 if the file is out of date (used by the tests)
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import sys
from pathlib import Path

import pipeline.config as config_module
from pipeline.config import Config

TARGET = Path(__file__).resolve().parent.parent / "config.example.toml"


def render() -> str:
    tree = ast.parse(inspect.getsource(config_module))
    docs: dict[tuple[str, str], str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for stmt, nxt in zip(node.body, node.body[1:], strict=False):
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(nxt, ast.Expr)
                    and isinstance(nxt.value, ast.Constant)
                    and isinstance(stmt.target, ast.Name)
                ):
                    docs[(node.name, stmt.target.id)] = str(nxt.value.value)
    out = ["# Every setting with its default. Copy, keep what you change, pass with --config FILE.", ""]
    config = Config()
    for section_field in dataclasses.fields(config):
        section = getattr(config, section_field.name)
        out.append(f"[{section_field.name}]")
        for field in dataclasses.fields(section):
            for line in docs.get((type(section).__name__, field.name), "").strip().splitlines():
                out.append(f"# {line.strip()}")
            out.append(f"{field.name} = {json.dumps(getattr(section, field.name), ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.read_text() == text else 1)
    TARGET.write_text(text)

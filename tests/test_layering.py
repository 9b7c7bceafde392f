"""Data flows one way: the model knows nothing of rendering, nothing imports the command line,
and heavy modules are imported only by the commands that need them."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "guide"


def imports_of(path: Path) -> set[str]:
    """Return the guide modules a file imports, as dotted names relative to the package."""
    tree = ast.parse(path.read_text("utf-8"))
    package = ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if package else []
            module = ".".join([p for p in base if p] + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}".lstrip(".") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("guide"):
            found.add(node.module.removeprefix("guide."))
    return found


def test_the_model_does_not_import_rendering_or_outputs():
    rendering = {"render", "templating", "fragments", "pages", "views", "pipeline", "feeds", "outputs", "serve", "cli"}
    for name in ("model.py", "data.py", "fields.py", "records.py", "programmes.py", "phones.py", "amounts.py", "yamlsource.py", "yamlitems.py", "errors.py"):
        imported = imports_of(PACKAGE / name)
        assert not {m for m in imported if m.split(".")[0] in rendering}, name


def test_nothing_imports_the_command_line():
    for path in PACKAGE.rglob("*.py"):
        if path.name != "cli.py":
            assert not {m for m in imports_of(path) if m.split(".")[0] == "cli"}, path


def test_help_does_not_load_the_build_pdf_or_server():
    code = "import sys; sys.argv = ['build.py', '--help']\ntry:\n    from guide.cli import main; main()\nexcept SystemExit: pass\n" \
           "print(sorted(m for m in sys.modules if m.split('.')[0] in {'jinja2', 'weasyprint', 'livereload', 'babel', 'markdown', 'yaml'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]"


# A module says one thing; past about 300 lines it usually says two. These say one, at more length.
ONE_IDEA = {
    "write.py": "the only writer of the output folder: an update, its commit in one step, its record",
    "fragments.py": "the fragments of pages kept between builds: the tag that makes them, their keys and their store",
}
LINES_MAX = 340


def test_a_module_past_about_300_lines_is_one_idea():
    lengths = {path.relative_to(PACKAGE).as_posix(): len(path.read_text("utf-8").splitlines()) for path in PACKAGE.rglob("*.py")}
    assert len(lengths) > 40  # the package was found
    assert {name for name, lines in lengths.items() if lines > LINES_MAX} <= set(ONE_IDEA), lengths

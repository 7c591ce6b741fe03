"""The project installs as one import package, govgraph, and nothing a user's own files can
shadow."""

import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_the_wheel_installs_govgraph_and_nothing_else_at_the_top(tmp_path):
    source = tmp_path / "source"  # a copy: building writes into the tree it builds
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "*.egg-info", "*.db", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("govgraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"govgraph", wheel.name.split("-py3")[0]
                                                + ".dist-info"}
    for part in ("graph/storage/neo4j.py", "graph/schema.cypher", "loaders/registers.py",
                 "service/api/routes/views.py", "viz/templates/explorer.html", "__main__.py"):
        assert f"govgraph/{part}" in names, part


def test_files_named_like_its_parts_beside_a_script_do_not_shadow_it(tmp_path):
    for name in ("graph", "loaders", "service", "viz"):
        (tmp_path / f"{name}.py").write_text("raise ImportError('the wrong module')\n")
    done = subprocess.run([sys.executable, "-m", "govgraph", "vocabulary", "--json"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"PartyOrganization"' in done.stdout


def test_every_module_of_the_graph_package_imports_first():
    """Each module imported first, in a fresh interpreter, as a script of a user's might: no
    import cycle that only the usual order hides."""
    modules = sorted("govgraph.graph." + ".".join(p.relative_to(ROOT / "graph").with_suffix("")
                                                  .parts)
                     for p in (ROOT / "graph").rglob("*.py") if p.name != "__init__.py")
    assert "govgraph.graph.editions" in modules
    for module in modules:
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                              text=True, cwd=ROOT)
        assert done.returncode == 0, f"{module}: {done.stderr[-500:]}"


def test_the_neo4j_driver_decodes_with_its_rust_extension():
    """The official driver's Rust extension (a street's questions on the Neo4j store 3x
    faster) is installed at the driver's own version, as it must be to be used."""
    from importlib.metadata import version

    from neo4j._codec.packstream import v1

    assert version("neo4j-rust-ext").startswith(version("neo4j") + ".")
    assert v1._rust_unpack is not None

"""The build steps pyproject.toml cannot declare: a built package carries the message catalogues
compiled from their .po files (the .mo files are not committed), and the repository's top-level
folders the application reads, inside the package (registry.shipped finds them there)."""

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = "registry/translations/*/LC_MESSAGES/messages.po"
FOLDERS = ("templates", "migrations", "imports")


class BuildPy(build_py):
    """build_py that also compiles every catalogue and copies FOLDERS into the built package.

    Editable installs read the repository itself; the Makefile compiles their catalogues in place.
    """

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source in sorted(Path().glob(CATALOGUES)):
            self.compile_catalogue(source, Path(self.build_lib) / source.with_suffix(".mo"))
        package = Path(self.build_lib) / "registry"
        for folder in FOLDERS:
            for source in sorted(Path(folder).rglob("*")):
                if source.is_file() and "__pycache__" not in source.parts:
                    self.mkpath(str((package / source).parent))
                    self.copy_file(str(source), str(package / source))

    def compile_catalogue(self, source: Path, target: Path) -> None:
        """What `pybabel compile --use-fuzzy` does (the Makefile's rule)."""
        with source.open("rb") as po:
            catalog = read_po(po, locale=source.parent.parent.name)
        self.mkpath(str(target.parent))
        with target.open("wb") as mo:
            write_mo(mo, catalog, use_fuzzy=True)
        self.announce(f"compiled {source} to {target}", level=logging.INFO)


setup(cmdclass={"build_py": BuildPy})

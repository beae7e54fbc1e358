"""Front-end assets for ``negosim demo``, served locally (no internet needed).

A Solara page loads its JavaScript and CSS through the server's CDN proxy
(``/_solara/cdn/<package>@<version>/<file>``). The server answers from its
proxy cache directory (``solara.server.settings.assets.proxy_cache_dir``,
``<venv>/share/solara/cdn`` by default) and only goes to cdn.jsdelivr.net for
a file that is not there. This module fills that directory from the npm
registry (``npm pack``), once, at install or CI time, so the demo never needs
the CDN:

    negosim demo --prepare-assets        # or: python -m negosim.demo_assets

The package versions are read from the installed Solara's own templates and
widgets, so a Solara upgrade pins new versions by itself. A package is
complete when its directory holds the marker file ``.negosim-complete``;
preparing again skips complete packages, so the step is idempotent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

MARKER = ".negosim-complete"

# The npm packages a SolaraViz page asks the CDN proxy for, with ipyvuetify < 3
# (the Vuetify 2 app). Their versions come from Solara's files.
NEEDED = (
    "@widgetti/solara-vuetify-app",  # the page: Vue, Vuetify, widget managers, CSS, fonts
    "requirejs",  # module loader
    "@widgetti/vue-grid-layout",  # GridDraggable, which SolaraViz lays its panels out with
    "font-awesome",  # icons (Solara's fontawesome_path)
)
_PINNED = re.compile(r"(?<![\w@-])((?:@[a-z0-9_.-]+/)?[a-z0-9_.-]+)@(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)/")


class AssetError(RuntimeError):
    """The assets could not be prepared (no npm, no registry, a bad tarball)."""


def cache_dir() -> Path:
    """Solara's CDN proxy cache directory (honours SOLARA_ASSETS_PROXY_CACHE_DIR)."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def required() -> dict[str, str]:
    """``{npm package: exact version}`` that the installed Solara pins for NEEDED."""
    import solara

    root = Path(solara.__file__).parent
    found: dict[str, set[str]] = {}
    for path in root.rglob("*"):
        if path.suffix not in {".vue", ".j2", ".html", ".py", ".js"} or not path.is_file():
            continue
        if "website" in path.parts:  # solara's own documentation site, not the server
            continue
        for name, version in _PINNED.findall(path.read_text(encoding="utf-8", errors="replace")):
            if name in NEEDED:
                found.setdefault(name, set()).add(version)
    missing = [n for n in NEEDED if n not in found]
    if missing:
        raise AssetError(f"the installed solara pins no version of {', '.join(missing)}; is solara installed?")
    return {name: max(found[name], key=_version_key) for name in NEEDED}


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.+-]", version))


def package_dir(name: str, version: str, root: Path | None = None) -> Path:
    return (root or cache_dir()) / f"{name}@{version}"


def missing(root: Path | None = None) -> list[str]:
    """``name@version`` of the needed packages not yet complete in the cache."""
    return [f"{n}@{v}" for n, v in required().items() if not (package_dir(n, v, root) / MARKER).exists()]


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not on PATH: install Node.js and npm (Debian: apt-get install -y npm), "
            "then run 'negosim demo --prepare-assets'"
        )
    return npm


def _unpack(tarball: Path, target: Path) -> None:
    """Extract an npm tarball's single top folder (usually ``package/``) into ``target``."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(staging, filter="data")
    tops = [p for p in staging.iterdir()]
    if len(tops) != 1 or not tops[0].is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise AssetError(f"{tarball.name}: expected one top-level folder, found {len(tops)}")
    shutil.rmtree(target, ignore_errors=True)
    tops[0].rename(target)
    staging.rmdir()
    (target / MARKER).write_text(tarball.name + "\n")


def prepare(root: Path | None = None, *, quiet: bool = False) -> list[str]:
    """Fetch every missing package with ``npm pack`` into the cache; return what was fetched."""
    root = root or cache_dir()
    todo = [(n, v) for n, v in required().items() if not (package_dir(n, v, root) / MARKER).exists()]
    if not todo:
        if not quiet:
            print(f"demo assets: all {len(NEEDED)} packages already in {root}")
        return []
    npm = _npm()
    fetched = []
    with tempfile.TemporaryDirectory(prefix="negosim-assets-") as tmp:
        for name, version in todo:
            spec = f"{name}@{version}"
            if not quiet:
                print(f"demo assets: npm pack {spec}", flush=True)
            result = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
                cwd=tmp,
                env={**os.environ, "npm_config_fund": "false"},
            )
            lines = result.stdout.strip().splitlines()
            if result.returncode != 0 or not lines:
                detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise AssetError(f"npm pack {spec} failed: {detail}")
            _unpack(Path(tmp) / lines[-1].strip(), package_dir(name, version, root))
            fetched.append(spec)
    if not quiet:
        print(f"demo assets: {len(fetched)} package(s) written to {root}")
    return fetched


def main() -> int:
    try:
        prepare()
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``negosim demo``: the teaching demo in a browser (a Solara page with Mesa's model controls).

    negosim demo [SCENARIO] [--host 127.0.0.1] [--port 8765]
    negosim demo --prepare-assets

The page itself lives in :mod:`negosim.demo.app`, its model in
:mod:`negosim.demo.levers`, its panels in :mod:`negosim.demo.web` and
:mod:`negosim.demo.charts`, its ensemble and comparison in :mod:`negosim.demo.many`. The
server never reaches for the internet: the page's JavaScript and CSS come from
Solara's local CDN cache, which ``--prepare-assets`` fills from the npm
registry (:mod:`negosim.demo.assets`); a file missing from that cache gets a
404 instead of a request to cdn.jsdelivr.net, and Solara's telemetry is off.

This module is imported by every ``negosim`` command (the CLI's plug-in
hook), so it imports nothing heavy until the demo actually starts.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import warnings
from pathlib import Path

from negosim.arguments import add_set_option, port
from negosim.errors import ScenarioError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "negosim.demo.app"
DEMO_EXTRA_HINT = "install the demo extra: pip install -e '.[demo]'"


def add_parser(commands) -> None:
    demo = commands.add_parser(
        "demo",
        help="serve the teaching demo (graph, text, utilities, narrative, levers) in a browser",
        description="Serve the teaching demo: a page with Step/Play/Reset, the mediation graph, the text as a "
        "heat map, utilities, the position index, the round in words, sliders for the teaching levers, a "
        "scenario picker, many worlds under the levers and one world with and without a change. Each browser "
        "tab gets its own world.",
    )
    demo.add_argument("scenario", nargs="?", help="scenario file or name (default: geneva_vs_anchorage)")
    demo.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}: this machine only)"
    )
    demo.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    add_set_option(demo)
    demo.add_argument(
        "--prepare-assets",
        action="store_true",
        help="fetch the page's JavaScript and CSS from the npm registry into Solara's local cache, "
        "then exit (run once after installing; the demo then works offline)",
    )
    demo.set_defaults(handler=cmd_demo)


def _quiet_solara_environment(scenario: str | None) -> None:
    """Settings Solara reads when it is first imported: no telemetry, our app and scenario."""
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_APP"] = APP
    if scenario is not None:
        os.environ["NEGOSIM_DEMO_SCENARIO"] = scenario
    else:
        os.environ.pop("NEGOSIM_DEMO_SCENARIO", None)


def _require_demo_packages() -> None:
    try:
        import ipyvuetify
        import mesa.visualization  # noqa: F401
        import solara  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"the demo needs {exc.name}: {DEMO_EXTRA_HINT}") from None
    major = int(ipyvuetify.__version__.split(".")[0])
    if major >= 3:
        raise UsageError(
            f"ipyvuetify {ipyvuetify.__version__} does not draw the page's Vuetify 2 controls; "
            "pip install 'ipyvuetify<3' 'ipyvue<3' (the demo extra pins them)"
        )


def _check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on host {host!r}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is already in use: choose another with --port") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _ensure_assets() -> None:
    """Fill the asset cache if needed (npm registry); fail with instructions if that cannot be done."""
    from negosim.demo import assets as demo_assets

    try:
        if demo_assets.missing():
            print(
                "negosim demo: the page's assets are not in the local cache yet; fetching them once from npm.",
                flush=True,
            )
            demo_assets.prepare()
    except demo_assets.AssetError as exc:
        raise UsageError(f"{exc} (the demo serves its JavaScript and CSS locally; see docs/demo.md)") from None


def _block_cdn() -> None:
    """A file missing from the cache is a 404, never a request to cdn.jsdelivr.net."""
    import logging

    import solara.server.cdn_helper as cdn_helper

    log = logging.getLogger("negosim.demo")

    def offline(url: str) -> bytes:
        log.warning("not in the local asset cache (run 'negosim demo --prepare-assets'): %s", url)
        raise FileNotFoundError(url)

    cdn_helper.fetch_from_cdn = offline


def serve(
    scenario: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, log_level: str = "warning"
) -> None:
    """Run the demo server in this process until interrupted."""
    _quiet_solara_environment(scenario)
    import solara.server.settings as settings
    import uvicorn

    settings.telemetry.mixpanel_enable = False
    # Solara warns on every page load that plain-http cookies cannot be SameSite=None; on localhost that is expected.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    settings.main.mode = "production"
    _block_cdn()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level=log_level)


def cmd_demo(args: argparse.Namespace) -> int:
    from negosim.scenario import load_scenario, resolve_scenario

    _quiet_solara_environment(None)
    _require_demo_packages()
    if args.prepare_assets:
        from negosim.demo import assets as demo_assets

        try:
            demo_assets.prepare()
        except demo_assets.AssetError as exc:
            raise UsageError(str(exc)) from None
        return 0

    from negosim.demo.levers import SET_ENV
    from negosim.scenario.overrides import apply_assignments

    path = resolve_scenario(args.scenario)
    scenario = apply_assignments(load_scenario(path), args.set)  # bad input: one line, exit 2, no server
    os.environ[SET_ENV] = json.dumps(args.set)
    if not scenario.principals:
        raise ScenarioError(str(path), "parties", "at least one principal for the demo")
    _ensure_assets()
    _check_port_free(args.host, args.port)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"negosim demo: {scenario.meta.name} at http://{shown}:{args.port}/ (Ctrl-C to stop)", flush=True)
    serve(str(Path(path).resolve()), args.host, args.port)
    return 0

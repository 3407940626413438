"""QGIS layer styles (QML) for the rasters the plugin writes, as plain text.

Each raster output gets a ``<name>.qml`` beside it, so it loads styled in QGIS whether it was
made by the toolbox, the modeler or qgis_process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..core.raster import atomic_file
from ..core.records import ZoneTags

#: Green to red, for susceptibility from very low to very high.
ZONE_COLORS_5 = ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c")


def ramp_colors(k: int) -> list[str]:
    """k colours from green through yellow to red."""
    if k == 5:
        return list(ZONE_COLORS_5)
    stops = [(0x1a, 0x96, 0x41), (0xff, 0xff, 0xbf), (0xd7, 0x19, 0x1c)]
    out = []
    for i in range(k):
        t = i / max(1, k - 1) * 2
        lo = min(int(t), 1)
        f = t - lo
        rgb = [round(a + (b - a) * f) for a, b in zip(stops[lo], stops[lo + 1])]
        out.append("#{:02x}{:02x}{:02x}".format(*rgb))
    return out


def _document(renderer: str) -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.22" styleCategories="AllStyleCategories">\n'
            "  <pipe>\n" + renderer + "  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n")


def paletted_qml(values: Sequence[int], labels: Sequence[str], colors: Sequence[str]) -> str:
    """A paletted (unique values) raster style."""
    entries = "".join(
        f'        <paletteEntry value="{v}" color="{c}" alpha="255" label={quoteattr(lab)}/>\n'
        for v, lab, c in zip(values, labels, colors))
    return _document('    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1">\n'
                     "      <colorPalette>\n" + entries + "      </colorPalette>\n"
                     "    </rasterrenderer>\n")


#: light to dark purple, for the uncertainty (standard deviation) of an LSI
SD_COLORS_5 = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")


def pseudocolor_qml(vmin: float = 0.0, vmax: float = 1.0,
                    colors: Sequence[str] = ZONE_COLORS_5) -> str:
    """A continuous style of five colour stops (default green-yellow-red, for susceptibility
    index rasters)."""
    items = "".join(
        f'          <item value="{vmin + (vmax - vmin) * i / 4:g}" color="{c}" alpha="255" '
        f'label="{vmin + (vmax - vmin) * i / 4:g}"/>\n' for i, c in enumerate(colors))
    return _document(
        '    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" '
        f'classificationMin="{vmin:g}" classificationMax="{vmax:g}">\n'
        "      <rastershader>\n"
        f'        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" '
        f'minimumValue="{vmin:g}" maximumValue="{vmax:g}">\n' + items +
        "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n")


def sd_qml(vmax: float = 0.25) -> str:
    """The style of an LSI's standard deviation: light (agreeing members) to dark purple; 0.25
    is about the largest spread a 0..1 index shows in practice (0.5 is the bound)."""
    return pseudocolor_qml(0.0, vmax, SD_COLORS_5)


def sidecar_path(raster_path: str | Path) -> Path:
    """The style file QGIS loads by default with a raster: same name, .qml."""
    return Path(raster_path).with_suffix(".qml")


def write_sidecar(raster_path: str | Path, qml: str) -> Path:
    path = sidecar_path(raster_path)
    with atomic_file(path) as tmp:
        tmp.write_text(qml, encoding="utf-8")
    return path


def zones_qml(labels: Sequence[str]) -> str:
    k = len(labels)
    return paletted_qml(range(1, k + 1), labels, ramp_colors(k))


def default_qml(raster_path: str | Path, which: str) -> str:
    """The plugin's own style for a raster that has lost its sidecar .qml.

    ``which`` is ``"lsi"`` (green-to-red pseudocolor over 0..1), ``"sd"`` (the uncertainty
    map's purple ramp) or ``"zones"`` (the zone palette; labels from the raster's
    LSM_ZONING_LABELS metadata, else one class per value up to the largest in the raster, five
    when that cannot be read)."""
    if which == "lsi":
        return pseudocolor_qml(0.0, 1.0)
    if which == "sd":
        return sd_qml()
    if which != "zones":
        raise ValueError(f"which must be 'lsi', 'sd' or 'zones', not {which!r}")
    from osgeo import gdal

    from ..core.classing import zone_labels

    labels: list[str] = []
    try:
        ds = gdal.Open(str(raster_path))
    except RuntimeError:  # GDAL raises (exception mode is on, core.raster): no labels then
        ds = None
    if ds is not None:
        labels = list(ZoneTags.from_metadata(ds.GetMetadata() or {}).labels)
        if not labels:
            try:
                k = int(ds.GetRasterBand(1).ComputeRasterMinMax(False)[1])
            except (RuntimeError, TypeError, ValueError):
                k = 0
            if 1 <= k <= 32:
                labels = zone_labels(k)
    ds = None
    return zones_qml(labels or zone_labels(5))


# --- area of applicability ---------------------------------------------------------------------

#: the dissimilarity index inside the area of applicability (light to blue) and outside it
#: (orange to dark red)
DI_INSIDE_COLORS = ("#f7fbff", "#6baed6")
DI_OUTSIDE_COLORS = ("#fdae61", "#d7191c", "#67001f")


def dissimilarity_qml(threshold: float) -> str:
    """The style of a dissimilarity index raster: light to blue from 0 to the threshold (inside
    the area of applicability), then a break to orange, red and dark red at 2 and 4 times the
    threshold (ever farther from the training data)."""
    t = float(threshold) if threshold > 0 else 1.0
    stops = ((0.0, DI_INSIDE_COLORS[0], "0 (like a training sample)"),
             (t, DI_INSIDE_COLORS[1], f"{t:.3g}: the threshold (inside up to here)"),
             (t * (1 + 1e-6), DI_OUTSIDE_COLORS[0], "outside the area of applicability"),
             (2 * t, DI_OUTSIDE_COLORS[1], f"{2 * t:.3g}"),
             (4 * t, DI_OUTSIDE_COLORS[2], f"{4 * t:.3g} and more"))
    items = "".join(f'          <item value="{v!r}" color="{c}" alpha="255" '
                    f"label={quoteattr(lab)}/>\n" for v, c, lab in stops)
    return _document(
        '    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" '
        f'classificationMin="0" classificationMax="{4 * t!r}">\n'
        "      <rastershader>\n"
        '        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" '
        f'minimumValue="0" maximumValue="{4 * t!r}">\n' + items +
        "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n")


def applicability_qml() -> str:
    """The style of an applicability mask: outside (0) grey, half opaque, inside (1)
    transparent, so that laid over a susceptibility map it greys out where the map is not to
    be trusted."""
    entries = ('        <paletteEntry value="0" color="#7f7f7f" alpha="190" '
               'label="Outside the area of applicability"/>\n'
               '        <paletteEntry value="1" color="#ffffff" alpha="0" '
               'label="Inside the area of applicability"/>\n')
    return _document('    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1">\n'
                     "      <colorPalette>\n" + entries + "      </colorPalette>\n"
                     "    </rasterrenderer>\n")

"""README figures of factor importance, response curves and the area of applicability, from the
outputs of `make demo` (the shipped workflow explains SVM, KLR and LSNet and maps the area of
applicability): docs/images/importance.png, response_curves.png and applicability.png.

    .venv/bin/python scripts/explain_figures.py [DEMO_OUTPUT]

DEMO_OUTPUT defaults to demo_output/; without it the small demo is run first (a few minutes).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

sys.path.insert(0, str(qt.ROOT))
IMAGES = qt.ROOT / "docs" / "images"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else qt.ROOT / "demo_output"
    if not (out / "explanations").is_dir():
        out = Path(tempfile.mkdtemp(prefix="explain-figures-")) / "demo_output"
        subprocess.run([sys.executable, str(qt.ROOT / "scripts" / "demo.py"), "--size",
                        "small", "--out", str(out)], check=True)
    from landslide_lsm_plugin.core.results_file import load_explanation
    from landslide_lsm_plugin.presentation.explain_figures import (
        aoa_tags,
        draw_aoa,
        save_importance_figure,
        save_response_figure,
    )
    from landslide_lsm_plugin.presentation.figures import figure_png

    explanations = [load_explanation(out / "explanations" / f"{m}.json")
                    for m in ("svm", "klr", "lsnet")]
    IMAGES.mkdir(parents=True, exist_ok=True)
    save_importance_figure(explanations, IMAGES / "importance.png", dpi=90)
    save_response_figure(explanations, IMAGES / "response_curves.png", dpi=80)
    rasters = [out / "maps" / "dissimilarity.tif", out / "maps" / "applicability.tif"]

    def draw(fig):
        for k, path in enumerate(rasters):
            tags = aoa_tags(path)
            title = ("Dissimilarity index (threshold "
                     f"{tags.threshold:.3g})" if tags.kind == "dissimilarity" else
                     f"Area of applicability ({100 * (tags.share_inside or 0):.1f} % inside)")
            draw_aoa(fig.add_subplot(1, 2, k + 1), path, tags, title)

    (IMAGES / "applicability.png").write_bytes(figure_png(draw, size=(11, 4.6), dpi=90))
    for name in ("importance.png", "response_curves.png", "applicability.png"):
        print(IMAGES / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

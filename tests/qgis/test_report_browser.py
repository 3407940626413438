"""The report as a reader sees it: rendered by headless Chromium at a narrow, a laptop and a
wide window, no image is wider than the page (every figure fits its column), and a screenshot
of each width lands in test-artifacts/ for a person to look at."""

import json
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: added to a copy of the report: after loading, write each image's right edge and the page's
#: width into the page (read back from the DOM Chromium dumps)
PROBE = ('<script>window.addEventListener("load",function(){var r=[];'
         'document.querySelectorAll("img").forEach(function(i){'
         'r.push([i.alt,i.getBoundingClientRect().right,i.naturalWidth])});'
         'var p=document.createElement("pre");p.id="lsm-probe";p.textContent=JSON.stringify('
         '{page:document.documentElement.clientWidth,images:r});'
         'document.body.appendChild(p);});</script>')


def chromium(*args: str) -> str:
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--virtual-time-budget=5000", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make setup installs it)")
@pytest.mark.parametrize("width", [600, 1280, 1920])
def test_every_image_fits_the_page(sample_workflow, tmp_path, artifacts, width):
    html = sample_workflow["files"]["report:Report"].read_text(encoding="utf-8")
    probe = tmp_path / "report.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(f"--window-size={width},1200", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="lsm-probe">([^<]*)</pre>', dom)
    assert found, dom[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(layout["images"]) >= 8  # curves, calibration, maps, importance, ...
    too_wide = [(alt, right) for alt, right, _ in layout["images"]
                if right > layout["page"] + 1]
    assert not too_wide, (layout["page"], too_wide)
    shot = artifacts / f"report_{width}px.png"
    chromium(f"--window-size={width},1600", f"--screenshot={shot}",
             sample_workflow["files"]["report:Report"].as_uri())
    assert shot.stat().st_size > 10_000

"""The enrolment QR code scans: build/itest/qr_svg_render (portal_qr_svg,
tests/integration/c/qr_svg_render.c) draws the SVG, librsvg's rsvg-convert
renders it as an image, and ZBar's zbarimg, an independent QR reader,
must read back exactly the text."""

import os
import shutil
import subprocess

import pytest

import stack as stacklib

RENDER = os.path.join(stacklib.BUILD, "itest", "qr_svg_render")

TEXTS = [
    "otpauth://totp/Acme%20ERP:ana%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=Acme%20ERP&algorithm=SHA1&digits=6&period=30",
    "\u015eirk\u0259t \u0416 \u00e7\u00fc",          # UTF-8 in 8-bit mode
    "x" * 900,                                          # a large version (~27)
]


def decode(svg_text, tmp_path, width):
    svg = tmp_path / "qr.svg"
    png = tmp_path / "qr.png"
    svg.write_text(svg_text)
    subprocess.run(["rsvg-convert", "-w", str(width), "-o", str(png), str(svg)],
                   check=True, capture_output=True)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True)
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    return out.stdout.decode("utf-8").rstrip("\n")


@pytest.mark.parametrize("text", TEXTS, ids=["otpauth", "utf8", "long"])
def test_the_qr_code_reads_back(text, tmp_path):
    for tool in ("rsvg-convert", "zbarimg"):
        assert shutil.which(tool), f"{tool} is missing: make deps (librsvg2-bin, zbar-tools)"
    assert os.path.exists(RENDER), f"{RENDER} is missing: make -C {stacklib.ROOT} {RENDER}"
    svg = subprocess.run([RENDER, text, "Scan <me>"], check=True,
                         capture_output=True).stdout.decode()
    assert svg.startswith("<svg") and "<title>Scan &lt;me&gt;</title>" in svg
    assert decode(svg, tmp_path, 600) == text


def test_too_long_for_a_qr_code_is_refused():
    out = subprocess.run([RENDER, "a" * 3000], capture_output=True)
    assert out.returncode == 1 and out.stdout == b""

#!/usr/bin/env python3
"""Makes one self-contained yibiao.html from a Trunk release build: the wasm (base64), its JS
glue and the CSS inlined, with a Content-Security-Policy that allows no connection at all
(connect-src 'none') and only the inline script and style by their hashes. The file works
opened from disk (file://) on a PC with no network: county intranet PCs and USB sticks.

Usage: python3 scripts/single_file.py [DIST_DIR] [OUT_FILE]   (defaults: dist, dist-single/yibiao.html)
"""
import base64
import glob
import hashlib
import os
import re
import sys


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def main() -> None:
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join("dist-single", "yibiao.html")
    wasm_path = glob.glob(os.path.join(dist, "*_bg.wasm"))[0]
    js_path = [p for p in glob.glob(os.path.join(dist, "*.js"))][0]
    css_paths = glob.glob(os.path.join(dist, "*.css"))
    with open(os.path.join(dist, "index.html"), encoding="utf-8") as f:
        index = f.read()
    title = re.search(r"<title>(.*?)</title>", index, re.S).group(1)
    with open(wasm_path, "rb") as f:
        wasm_b64 = base64.b64encode(f.read()).decode()
    with open(js_path, encoding="utf-8") as f:
        glue = f.read()
    css = ""
    for p in css_paths:
        with open(p, encoding="utf-8") as f:
            css += f.read()
    # The glue is an ES module; inlined, its exports are harmless and it is started with the
    # wasm bytes directly (no fetch, no URL).
    script = (
        glue
        + "\nconst __yb_wasm = Uint8Array.from(atob(\"" + wasm_b64 + "\"), (c) => c.charCodeAt(0));\n"
        + "initSync({ module: __yb_wasm });\n"
    )
    policy = "; ".join([
        "default-src 'none'",
        "script-src 'wasm-unsafe-eval' " + sha256(script),
        "style-src " + sha256(css),
        "img-src data: blob:",
        "connect-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    ])
    html = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\" />\n"
        "<meta charset=\"utf-8\" />\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
        f"<title>{title}</title>\n<link rel=\"icon\" href=\"data:,\" />\n"
        f"<style>{css}</style>\n"
        f"<script type=\"module\">{script}</script>\n"
        "</head>\n<body></body>\n</html>\n"
    )
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"{out}: {len(html.encode('utf-8'))} bytes")


if __name__ == "__main__":
    main()

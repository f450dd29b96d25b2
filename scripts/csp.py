#!/usr/bin/env python3
"""Adds a strict Content-Security-Policy to the built index.html.

Trunk writes one inline <script type="module"> that loads the wasm; it is allowed by its
sha256 hash, nothing else inline is. No network beyond the page's own files (connect-src 'self'
is what fetching the page's own .wasm needs), no frames, no forms, no plugins.
Run by Trunk as a post_build hook (TRUNK_STAGING_DIR), or by hand: csp.py DIST_DIR.
"""
import base64
import hashlib
import os
import re
import sys

def policy(html: str, connect: str = "'self'") -> str:
    hashes = []
    for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
        digest = hashlib.sha256(m.group(1).encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode() + "'")
    return "; ".join([
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        f"connect-src {connect}",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    ])

def add(html: str, connect: str = "'self'") -> str:
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, connect)}" />'
    return html.replace("<head>", "<head>\n    " + meta, 1)

def main() -> None:
    d = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
    path = os.path.join(d, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(add(html))

if __name__ == "__main__":
    main()

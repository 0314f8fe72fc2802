"""The lesson-01 output-size explorer for the book, where no kernel runs the notebook's widget.

``book_assets/output_size_explorer.js`` is a dependency-free JavaScript copy of
``alexnet_course.widgets.OutputSizeExplorer``: the same sliders, the same message (less
PyTorch's verdict) and a picture of the windows along one row of the input, computed by a port
of ``alexnet_course.arithmetic`` whose error messages are the Python ones, word for word.
``output_size_explorer.css`` styles it for mdBook's light and dark themes.

The book shows an explorer wherever a chapter holds ``EXPLORER_DIV`` and the page loads both
assets (lesson 01's chapter, wired by the book build). ``standalone_page`` writes a page with
one explorer and nothing else, for tests/browser/test_js_explorer.py:

>>> from tempfile import TemporaryDirectory
>>> with TemporaryDirectory() as folder:
...     page = standalone_page(Path(folder))
...     sorted(path.name for path in page.parent.iterdir())
['output_size_explorer.css', 'output_size_explorer.html', 'output_size_explorer.js']
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["ASSETS", "EXPLORER_DIV", "standalone_page"]

ASSETS = Path(__file__).parent / "book_assets"
EXPLORER_DIV = '<div class="ac-js-explorer" data-explorer="output-size"></div>'

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Output-size explorer</title>
<link rel="stylesheet" href="output_size_explorer.css">
<script src="output_size_explorer.js"></script>
</head>
<body>
{EXPLORER_DIV}
</body>
</html>
"""


def standalone_page(dest: Path) -> Path:
    """Write ``dest/output_size_explorer.html`` and the two assets beside it; return the page."""
    dest.mkdir(parents=True, exist_ok=True)
    for asset in ("output_size_explorer.js", "output_size_explorer.css"):
        shutil.copy(ASSETS / asset, dest / asset)
    page = dest / "output_size_explorer.html"
    page.write_text(PAGE, encoding="utf-8")
    return page

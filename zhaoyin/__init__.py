
import os as _os

# openpyxl switches to lxml when it is importable (python-docx brings it in) and then reads and
# writes some cells differently (line breaks, error cells). The Excel import and export were
# built and tested on openpyxl's standard-library XML path, with defusedxml; keep that path.
# This runs before any module of the package, hence before any openpyxl import of ours.
_os.environ.setdefault("OPENPYXL_LXML", "False")

"""The directory's parts in one place: the model, its checks and queries, and its loading.

Admins edit the files by hand, so every problem is reported at once, each with the file, line,
column and field path the YAML parser saw, and a reader never gets a half-valid directory.
The parts: `model` (what a file may contain), `contacts` (each contact type), `phones`,
`checks` (rules across entries, warnings), `queries` (the loaded `Directory`), `yamlfile`
(reading YAML safely), `validation` (one file, and files against each other) and `sources`
(a file or a folder, read in child processes).
"""

from __future__ import annotations

from .checks import warnings_for
from .contacts import ContactType
from .model import (
    Category,
    Contact,
    DirectoryError,
    DirectoryFile,
    Guide,
    Operator,
    Problem,
    Region,
    Resource,
)
from .phones import Dialable, read_number
from .queries import Directory
from .sources import load_directory
from .validation import parse_directory
from .yamlfile import decode_file

__all__ = [
    "Category",
    "Contact",
    "ContactType",
    "Dialable",
    "Directory",
    "DirectoryError",
    "DirectoryFile",
    "Guide",
    "Operator",
    "Problem",
    "Region",
    "Resource",
    "decode_file",
    "load_directory",
    "parse_directory",
    "read_number",
    "warnings_for",
]

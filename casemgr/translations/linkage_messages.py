"""Messages of the pure ``linkage`` readers that reach clients (bad rows, unreadable files).

``linkage`` cannot mark strings for extraction (it must not import ``casemgr``), so its message
templates are listed here with ``N_``; ``tests/unit/test_translations.py`` checks that this list
equals the readers' ``Reason`` and ``Problem`` enums. This module is never imported at runtime.
"""

from casemgr.i18n import N_

READER_MESSAGES = (
    N_("The field is required."),
    N_("The row has {found} fields; the header has {expected}."),
    N_("A quoted field is followed by other characters before the next separator."),
    N_("The code {value} has {length} characters; a USCC has 18."),
    N_("The code {value} has {char} at position {position}, which a USCC cannot contain."),
    N_("Positions 3-8 of the code {value} are not a six-digit division code."),
    N_(
        "The code {value} fails its check character at position {position} "
        "(expected {expected}); the row is kept as evidence."
    ),
    N_("The code {value} looks like a number in scientific notation; export it as text."),
    N_("The code {value} was stored as a number and has lost digits; store it as text."),
    N_("The taxpayer id {value} must be 15 to 20 letters and digits."),
    N_("The date {value} cannot be read; write it like 2015-06-30 or 2015年6月30日."),
    N_("The identifier {value} already appears in row {first_row}."),
    N_("The line is not valid JSON (column {column})."),
    N_("The line holds a JSON {kind}, not an object."),
    N_("The value is a JSON {kind}, not text."),
    N_("The shareholders' shares add up to {total}%, more than 100%."),
    N_("{file}: the encoding is unknown (UTF-8 or GB18030 expected)."),
    N_(
        "{file}: near line {line} the text is not valid {encoding}; "
        "the file mixes encodings or is damaged."
    ),
    N_("{file}: this is a legacy .xls workbook; save it as .xlsx or CSV."),
    N_("{file}: this is not a readable .xlsx workbook ({detail})."),
    N_("{file}: this is a JSON array; JSON Lines (one object per line) is expected."),
    N_("{file}: there is no sheet named {sheet}; the sheets are {sheets}."),
    N_("{file}: the file is empty (no header row or JSON object found)."),
    N_("{file}: the required column(s) {missing} are missing; the header has {found}."),
    N_(
        "{file}: the CSV structure is broken from line {line} on ({detail}); "
        "an unclosed quote is the usual cause."
    ),
    N_("{file}: the header changed after the file was opened."),
)

"""Validation messages that reach clients but are not marked in our own code.

``casemgr.errors`` passes every field-level message through ``gettext``, so the default
messages of marshmallow and webargs, and the custom ``error=`` strings of the schemas, need
catalogue entries. Listing them here with ``N_`` keeps ``pybabel extract``/``update`` from
dropping them as obsolete. At runtime only ``PREFORMATTED`` is read (by ``casemgr.errors``).

When marshmallow or webargs change a default message, update it here and in the catalogue
(``tests/unit/test_translations.py`` compares these lists with the installed libraries).
"""

from casemgr.i18n import N_

# Messages that reach ``casemgr.errors`` word for word, so ``gettext`` matches them.
MARSHMALLOW = (
    # marshmallow.fields.Field
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    # marshmallow.Schema
    N_("Invalid input type."),
    N_("Unknown field."),
    # String
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    # Number, Integer, Float
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid integer."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    # Boolean
    N_("Not a valid boolean."),
    # Date, DateTime, AwareDateTime, NaiveDateTime: "Not a valid {obj_type}." and
    # "Not a valid {awareness} {obj_type}." are filled with fixed words, so the results are
    # listed here as they arrive.
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    # List, Dict (Mapping), Nested
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Invalid type."),
    # validate.Regexp without a custom error
    N_("String does not match expected pattern."),
)

WEBARGS = (N_("Invalid JSON body."),)

# Custom ``error=`` strings of the validators in casemgr/schemas/*.py.
SCHEMAS = (
    N_("3-64 letters, digits, '.', '_' or '-'."),
    N_("Must be a 6-digit division code."),
    N_("Must be a GB/T 4754-2017 code such as C2611."),
    N_("Must be a division or unit code."),
)

# Templates that marshmallow fills in *before* the message reaches ``casemgr.errors``
# (Field.make_error and the Length/Range validators call ``str.format``), so a plain
# ``gettext`` of the arriving text does not match them. They are kept translated for code
# that maps a filled message back to its template (or for validators given these templates
# through ``error=``). ``casemgr.errors`` maps a filled message back to its template.
PREFORMATTED = (
    # fields.Enum ("unknown")
    N_("Must be one of: {choices}."),
    # validate.Length
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    # validate.Range with inclusive bounds (the only kind the schemas use)
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
)

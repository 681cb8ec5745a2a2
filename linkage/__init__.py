"""
Pure record-linkage library: normalise → block → compare → classify → cluster; enterprise graph.
"""

from linkage.identifiers import (
    USCC_CHARSET,
    UsccResult,
    UsccStatus,
    legacy_tax_id_candidates,
    make_uscc,
    normalise_code,
    org_code_check_char,
    org_code_is_valid,
    regno15_is_valid,
    uscc_check_char,
    uscc_check_fixes,
    uscc_check_is_right,
    uscc_is_valid,
    validate_uscc,
)

__all__ = [
    "USCC_CHARSET",
    "UsccResult",
    "UsccStatus",
    "legacy_tax_id_candidates",
    "make_uscc",
    "normalise_code",
    "org_code_check_char",
    "org_code_is_valid",
    "regno15_is_valid",
    "uscc_check_char",
    "uscc_check_fixes",
    "uscc_check_is_right",
    "uscc_is_valid",
    "validate_uscc",
]

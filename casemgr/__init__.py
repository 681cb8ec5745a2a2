"""Guizhou environmental enforcement and credit case management (贵州生态环境执法与信用案件管理)."""

__version__ = "0.1.0"

"""Errors whose message is meant for the user: binaries print it and exit non-zero."""


class SuiteError(Exception):
  """Bad input or a missing resource, explained by the message alone."""


class ConfigError(SuiteError, ValueError):
  """An invalid combination of settings."""

"""What every binary shares: quiet logs, and user errors as one line and exit status 2."""

import sys


from absl import app  # pylint: disable=g-import-not-at-top,wrong-import-position
from absl import flags  # pylint: disable=g-import-not-at-top,wrong-import-position
from absl import logging  # pylint: disable=g-import-not-at-top,wrong-import-position

from suite import errors  # pylint: disable=g-import-not-at-top,wrong-import-position

EXIT_USER_ERROR = 2


def run(main):
  """app.run(main), printing a SuiteError's message instead of a traceback."""

  def guarded(argv):
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    tfds.disable_progress_bar()
    if not flags.FLAGS["verbosity"].present:  # TFDS logs every read at INFO.
      logging.set_verbosity(logging.ERROR)
    if len(argv) > 1:
      raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    try:
      return main(argv)
    except errors.SuiteError as e:
      print(f"error: {e}", file=sys.stderr)
      sys.exit(EXIT_USER_ERROR)

  app.run(guarded)

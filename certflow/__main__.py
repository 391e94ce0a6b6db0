import sys

from certflow.cli import main

sys.exit(main())

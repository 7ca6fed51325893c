import sys

from pacer_spiders.cli import main

sys.exit(main())

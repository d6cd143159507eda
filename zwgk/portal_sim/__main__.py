import sys

from zwgk.portal_sim.cli import main

sys.exit(main())

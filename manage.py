#!/usr/bin/env python
from relance.cli import main

if __name__ == "__main__":
    main()

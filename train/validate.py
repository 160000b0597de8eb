"""`python -m train.validate ...`, the name the README and docs/experiments.md give the command that
scores candidates on the validation sets: it runs evaluate/validate.py, where the code lives."""

import sys

if __name__ == "__main__":
    from evaluate.validate import main

    sys.exit(main())

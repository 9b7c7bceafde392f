"""Build the bilingual guide to Seoul's social economy. Run `python build.py --help`."""
from guide.cli import run

if __name__ == "__main__":
    run()

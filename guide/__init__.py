"""The bilingual guide to Seoul's social economy: a static site generator."""

"""The editors' spreadsheet: data/ out to a workbook, and an edited workbook (or CSV) back into data/.

columns.py says what each sheet holds, export.py writes the workbook, cells.py reads and
normalises what a spreadsheet program saved, merge.py applies the rows to the YAML documents,
and update.py checks the result with the rules of `check` before anything is written.
"""

"""The editors' spreadsheet: data/ out to a workbook, and an edited workbook (or CSV) back into data/.

columns.py says what each sheet holds, export.py writes the workbook; workbooks.py reads what a
spreadsheet program saved into grids of raw cells, rows.py turns a grid into rows by its headers,
and cells.py normalises each cell's value; merge.py applies the rows to the YAML documents,
yamlstyle.py writing each value in the file's own style, and update.py checks the result with
the rules of `check` before anything is written.
"""

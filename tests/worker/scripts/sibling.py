# Imported by imports_sibling.py through sys.path[0].
VALUE = "sibling ok"
